// Synaptic's wiki ("Networks"): XOR with a network of layers built by hand and trained by
// activate/propagate, 20,000 passes over the four cases at rate .3.
'use strict';
module.exports = function (synaptic, args) {
  const { Layer, Network } = synaptic;
  const inputLayer = new Layer(2);
  const hiddenLayer = new Layer(3);
  const outputLayer = new Layer(1);
  inputLayer.project(hiddenLayer);
  hiddenLayer.project(outputLayer);
  const myNetwork = new Network({ input: inputLayer, hidden: [hiddenLayer], output: outputLayer });
  const before = myNetwork.toJSON();
  const learningRate = args.rate === undefined ? 0.3 : args.rate;
  for (let i = 0; i < (args.iterations || 20000); i++) {
    myNetwork.activate([0, 0]); myNetwork.propagate(learningRate, [0]);
    myNetwork.activate([0, 1]); myNetwork.propagate(learningRate, [1]);
    myNetwork.activate([1, 0]); myNetwork.propagate(learningRate, [1]);
    myNetwork.activate([1, 1]); myNetwork.propagate(learningRate, [0]);
  }
  const outputs = [[0, 0], [0, 1], [1, 0], [1, 1]].map(x => Array.from(myNetwork.activate(x)));
  return { before: before, outputs: outputs, after: myNetwork.toJSON() };
};
