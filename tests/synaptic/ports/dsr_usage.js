// Synaptic's LSTM on distracted sequence recall (Trainer.DSR's loop, README "LSTM" usage):
// an Architect.LSTM sees each sequence step by step and propagates only where a rounded
// prediction is wrong. The sequences come from the test, so both sides see the same ones.
'use strict';
module.exports = function (synaptic, args) {
  const net = new synaptic.Architect.LSTM(...args.sizes);
  const before = net.toJSON();
  const equal = (prediction, output) => prediction.every((p, i) => Math.round(p) == output[i]);
  const outputs = [];
  const correct = [];
  let propagated = 0;
  for (const sequence of args.sequences) {
    let right = 0;
    for (const step of sequence) {
      const prediction = Array.from(net.activate(step.input));
      outputs.push(prediction);
      if (equal(prediction, step.target)) right++;
      else { net.propagate(args.rate, step.target); propagated++; }
    }
    correct.push(right == sequence.length);
  }
  return { before: before, outputs: outputs, correct: correct, propagated: propagated, after: net.toJSON() };
};
