// Synaptic's README: the LSTM built by hand from layers (input, forget and output gates,
// peepholes), run on a stream given by the test, learning at every step.
'use strict';
module.exports = function (synaptic, args) {
  const { Layer, Network } = synaptic;
  function LSTM(input, blocks, output) {
    const inputLayer = new Layer(input);
    const inputGate = new Layer(blocks);
    const forgetGate = new Layer(blocks);
    const memoryCell = new Layer(blocks);
    const outputGate = new Layer(blocks);
    const outputLayer = new Layer(output);
    // connections from input layer
    const input_ = inputLayer.project(memoryCell);
    inputLayer.project(inputGate);
    inputLayer.project(forgetGate);
    inputLayer.project(outputGate);
    // connections from memory cell
    const output_ = memoryCell.project(outputLayer);
    // self-connection
    const self = memoryCell.project(memoryCell);
    // peepholes
    memoryCell.project(inputGate);
    memoryCell.project(forgetGate);
    memoryCell.project(outputGate);
    // gates
    inputGate.gate(input_, Layer.gateType.INPUT);
    forgetGate.gate(self, Layer.gateType.ONE_TO_ONE);
    outputGate.gate(output_, Layer.gateType.OUTPUT);
    // input to output direct connection
    inputLayer.project(outputLayer);
    this.set({ input: inputLayer, hidden: [inputGate, forgetGate, memoryCell, outputGate], output: outputLayer });
  }
  LSTM.prototype = new Network();
  LSTM.prototype.constructor = LSTM;

  const net = new LSTM(...args.sizes);
  if (args.reset) net.reset();   // new weights and biases, drawn neuron by neuron
  const before = net.toJSON();
  const outputs = [];
  for (const step of args.stream) {
    outputs.push(Array.from(net.activate(step.input)));
    if (step.target) net.propagate(args.rate, step.target);
  }
  return { before: before, outputs: outputs, after: net.toJSON() };
};
