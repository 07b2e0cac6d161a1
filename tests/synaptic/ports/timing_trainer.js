// Synaptic's Trainer on the timing task's kind of data (Trainer.timingTask: an LSTM, a rate list
// [.03, .02], MSE): Trainer.train over samples given by the test, no shuffling.
'use strict';
module.exports = function (synaptic, args) {
  const net = new synaptic.Architect.LSTM(...args.sizes);
  const before = net.toJSON();
  const trainer = new synaptic.Trainer(net);
  const result = trainer.train(args.set, { rate: args.rate, iterations: args.iterations, error: args.error,
                                           shuffle: false, log: false, cost: synaptic.Trainer.cost.MSE });
  delete result.time;
  const test = trainer.test(args.test, { cost: synaptic.Trainer.cost.MSE });
  return { before: before, result: result, test_error: test.error, after: net.toJSON() };
};
