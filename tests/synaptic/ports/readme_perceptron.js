// Synaptic's README: the Perceptron built by hand from layers, then taught XOR by
// `new Trainer(myPerceptron).XOR()` (rate .2, error .005, MSE, shuffled every epoch).
'use strict';
module.exports = function (synaptic, args) {
  const { Layer, Network, Trainer } = synaptic;
  function Perceptron(input, hidden, output) {
    // create the layers
    const inputLayer = new Layer(input);
    const hiddenLayer = new Layer(hidden);
    const outputLayer = new Layer(output);
    // connect the layers
    inputLayer.project(hiddenLayer);
    hiddenLayer.project(outputLayer);
    // set the layers
    this.set({ input: inputLayer, hidden: [hiddenLayer], output: outputLayer });
  }
  Perceptron.prototype = new Network();
  Perceptron.prototype.constructor = Perceptron;

  const myPerceptron = new Perceptron(2, 3, 1);
  const myTrainer = new Trainer(myPerceptron);
  const before = myPerceptron.toJSON();
  const result = myTrainer.XOR(args.options || {});
  delete result.time;
  const outputs = [[0, 0], [1, 0], [0, 1], [1, 1]].map(x => Array.from(myPerceptron.activate(x)));
  return { before: before, result: result, outputs: outputs, after: myPerceptron.toJSON() };
};
