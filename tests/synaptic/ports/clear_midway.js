// Network.clear() in the middle of a stream: the traces go, the state stays (Network.js clear).
'use strict';
module.exports = function (synaptic, args) {
  const net = synaptic.Network.fromJSON(args.json);
  const outputs = [];
  args.stream.forEach((step, i) => {
    if (i === args.clear_at) net.clear();
    outputs.push(Array.from(net.activate(step.input)));
    net.propagate(args.rate, step.target);
  });
  return { outputs: outputs, after: net.toJSON() };
};
