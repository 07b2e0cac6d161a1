// Synaptic 1.1.4 measurements, driven by bench/peers/synaptic.py.
//   node synaptic.js SPEC.json  ->  one JSON object on stdout
// Synaptic trains online: Trainer._trainSet activates and propagates one sample at a time.
'use strict';
const fs = require('fs');
const path = require('path');
const synaptic = require(path.join(__dirname, '..', 'node_modules', 'synaptic'));
const { Architect, Trainer, Network, Neuron } = synaptic;

const spec = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const now = () => Number(process.hrtime.bigint()) / 1e9;

// A Perceptron(2, 3, 1) carrying the given weights (axonal's layout: W[i][j] from input i to unit j).
function xorNetwork(w) {
  const json = new Architect.Perceptron(2, 3, 1).toJSON();
  const index = { input: [], hidden: [], output: [] };
  json.neurons.forEach((n, i) => (n.layer === 'input' ? index.input : n.layer === 'output' ? index.output : index.hidden).push(i));
  const weight = {};
  index.input.forEach((a, i) => index.hidden.forEach((h, j) => { weight[a + ',' + h] = w['layers.0.weight'][i][j]; }));
  index.hidden.forEach((h, j) => { weight[h + ',' + index.output[0]] = w['layers.1.weight'][j][0]; });
  for (const c of json.connections) {
    const key = c.from + ',' + c.to;
    if (!(key in weight)) throw new Error('unexpected connection ' + key);
    c.weight = weight[key];
  }
  index.hidden.forEach((h, j) => { json.neurons[h].bias = w['layers.0.bias'][j]; });
  json.neurons[index.output[0]].bias = w['layers.1.bias'][0];
  return Network.fromJSON(json);
}

const XOR_SET = [
  { input: [0, 0], output: [0] }, { input: [0, 1], output: [1] },
  { input: [1, 0], output: [1] }, { input: [1, 1], output: [0] },
];

function xorSteps() {
  const net = xorNetwork(spec.weights);
  const trainer = new Trainer(net);
  // error: 1e-300 so that it never stops early (Synaptic reads error 0 as "use the default").
  trainer.train(XOR_SET.slice(), { rate: spec.rate, iterations: 200, error: 1e-300 }); // warm-up
  const t0 = now();
  const r = trainer.train(XOR_SET.slice(), { rate: spec.rate, iterations: spec.epochs, error: 1e-300 });
  const seconds = now() - t0;
  return { epochs: r.iterations, seconds, steps_per_s: r.iterations / seconds, final_mse: r.error };
}

function xorSolve() {
  // warm-up: build one network and train it briefly
  new Trainer(xorNetwork(spec.runs[0].weights)).train(XOR_SET.slice(), { rate: spec.rate, iterations: 500, error: spec.error });
  const runs = [];
  for (const run of spec.runs) {
    const net = xorNetwork(run.weights);
    const trainer = new Trainer(net);
    const t0 = now();
    const r = trainer.train(XOR_SET.slice(), { rate: spec.rate, iterations: spec.max_epochs, error: spec.error });
    runs.push({ seed: run.seed, seconds: now() - t0, epochs: r.iterations, solved: r.error <= spec.error, mse: r.error });
  }
  return { runs };
}

function mlp() {
  const buf = fs.readFileSync(spec.data);
  const x = new Float32Array(buf.buffer, buf.byteOffset, spec.samples * spec.features);
  const set = [];
  for (let i = 0; i < spec.samples; i++) {
    const target = new Array(spec.classes).fill(0);
    target[spec.labels[i]] = 1;
    set.push({ input: Array.from(x.subarray(i * spec.features, (i + 1) * spec.features)), output: target });
  }
  const t0 = now();
  const net = new Architect.Perceptron(...spec.sizes);
  for (const layer of net.layers.hidden) layer.set({ squash: Neuron.squash.RELU });
  const build = now() - t0;
  const t1 = now();
  net.activate(set[0].input); // the first call compiles ("optimizes") the network
  net.propagate(spec.rate, set[0].output);
  const compile = now() - t1;
  // Whole samples (activate + propagate, as Trainer._trainSet does) for a while: V8 needs
  // several seconds to optimise the generated function (2.8 samples/s at first, ~17 later).
  const trainFor = (seconds) => {
    let n = 0;
    const t = now();
    while (now() - t < seconds) {
      const s = set[n % set.length];
      net.activate(s.input);
      net.propagate(spec.rate, s.output);
      n++;
    }
    return [n, now() - t];
  };
  const [warmSamples, warmSeconds] = trainFor(spec.warmup_seconds);
  const [n, seconds] = trainFor(spec.seconds);
  return { samples: n, seconds, samples_per_s: n / seconds, build_s: build, compile_s: compile,
           warmup_samples_per_s: warmSamples / warmSeconds };
}

// Discrete sequence recall: Trainer.DSR in blocks of spec.block sequences (its success is the share
// of a block's sequences that were fully right while it trained on them) until a block reaches
// spec.success or spec.seconds have passed. Math.random is unseeded: every run differs.
function dsr() {
  const runs = [];
  for (let k = 0; k < spec.runs; k++) {
    const t0 = now();
    const net = new Architect.LSTM(...spec.sizes);
    const trainer = new Trainer(net);
    let sequences = 0, success = 0;
    while (now() - t0 < spec.seconds) {
      const r = trainer.DSR({ targets: spec.targets, distractors: spec.distractors, prompts: spec.prompts,
                              length: spec.length, rate: spec.rate, iterations: spec.block, success: spec.success });
      sequences += r.iterations;
      success = r.success;
      if (success >= spec.success) break;
    }
    const seconds = now() - t0;
    runs.push({ run: k, seconds, sequences, success, solved: success >= spec.success });
  }
  return { runs };
}

// -- the online family (bench/workloads/online.py) ----------------------------------------------
// A seeded Math.random (mulberry32), so that Trainer.XOR's shuffles and Trainer.DSR's sequences are
// the same from run to run; Synaptic reads Math.random at each call.
function seedRandom(seed) {
  let a = (seed + 0x9e3779b9) >>> 0;
  Math.random = function () {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const NEVER = 1e-300; // an error no epoch reaches (Synaptic reads error 0 as "use the default")

// spec.calls calls of one task; calls[0] is the first in this process (cold). A call's time runs from
// before Network.fromJSON (for the first call of a stream, and for every time-to-solve run) to its end.
function online() {
  const calls = [], activate = [];
  if (spec.kind === 'solve') {
    for (const run of spec.runs) {
      seedRandom(run.seed);
      const t0 = now();
      const trainer = new Trainer(Network.fromJSON(run.net));
      if (spec.task === 'online_xor') {
        const r = trainer.XOR(Object.assign({}, spec.options));
        calls.push({ seconds: now() - t0, seed: run.seed, epochs: r.iterations, error: r.error,
                     solved: r.error <= spec.error });
      } else {
        const r = trainer.DSR(Object.assign({}, spec.options));
        calls.push({ seconds: now() - t0, seed: run.seed, sequences: r.iterations, success: r.success,
                     solved: r.success >= spec.success });
      }
    }
    return { calls };
  }
  const x = spec.inputs, y = spec.targets;
  seedRandom(0);
  if (spec.task === 'online_sin' || spec.task === 'online_timing') {
    const set = x.map((input, i) => ({ input, output: y[i] }));
    let t0 = now();
    const trainer = new Trainer(Network.fromJSON(spec.net));
    for (let k = 0; k < spec.calls; k++) {
      if (k > 0) t0 = now();
      const r = trainer.train(set, Object.assign({ error: NEVER }, spec.options));
      calls.push({ seconds: now() - t0, steps: spec.steps_per_call, error: r.error });
    }
    return { calls };
  }
  let t0 = now();
  const net = Network.fromJSON(spec.net);
  for (let k = 0; k < spec.calls; k++) {
    if (k > 0) t0 = now();
    for (let t = k * spec.block; t < (k + 1) * spec.block; t++) {
      net.activate(x[t]);
      net.propagate(spec.rate, y[t]);
    }
    calls.push({ seconds: now() - t0, steps: spec.block });
  }
  for (let k = 0; k < spec.activate_blocks; k++) { // the stream goes on, without learning
    const t1 = now();
    for (let t = k * spec.block; t < (k + 1) * spec.block; t++) net.activate(x[t]);
    activate.push({ seconds: now() - t1, steps: spec.block });
  }
  return { calls, activate };
}

// The outputs of spec.net on spec.inputs, step by step; with targets, propagate(rate, target) after each.
function outputs() {
  const net = Network.fromJSON(spec.net);
  const out = [];
  spec.inputs.forEach((input, t) => {
    out.push(Array.from(net.activate(input)));
    if (spec.targets) net.propagate(spec.rate, spec.targets[t]);
  });
  return { outputs: out };
}

const jobs = { xor_steps: xorSteps, xor_solve: xorSolve, mlp, dsr, online, outputs };
const result = jobs[spec.job]();
result.maxrss_mb = process.resourceUsage().maxRSS / 1024;
process.stdout.write(JSON.stringify(result) + '\n');
