// Synaptic's introduction (wiki "Neurons", the seed article's example): neuron A feeds B,
// B learns to answer 0 when A is 1, by activate/propagate.
'use strict';
module.exports = function (synaptic, args) {
  const Neuron = synaptic.Neuron;
  const A = new Neuron();
  const B = new Neuron();
  const connection = A.project(B);
  const initial = { biasA: A.bias, biasB: B.bias, weight: connection.weight };
  const learningRate = args.rate === undefined ? 0.3 : args.rate;
  const outputs = [];
  for (let i = 0; i < (args.iterations || 20000); i++) {
    A.activate(1);             // when A activates 1
    outputs.push(B.activate());
    B.propagate(learningRate, 0);  // train B to activate 0
  }
  A.activate(1);
  return { initial: initial, final: B.activate(), outputs: outputs.filter((_, i) => i % 100 === 0),
           weight: connection.weight, bias: B.bias };
};
