#!/usr/bin/env node
// Reference harness: runs Synaptic 1.1.4 so axonal's tests can compare against it.
//
// Reads ONE JSON command from stdin, writes ONE JSON result to stdout.
// Anything Synaptic prints (Trainer logs, deprecation warnings) goes to stderr.
// See tests/synaptic/NOTES.md for the command reference and Synaptic's semantics.
'use strict';

// ---------------------------------------------------------------- stdout hygiene
// Trainer.train/timingTask/ERG call console.log; keep stdout for the single result.
const realStdoutWrite = process.stdout.write.bind(process.stdout);
console.log = console.info = console.warn = console.debug = function () {
  process.stderr.write(Array.prototype.map.call(arguments, String).join(' ') + '\n');
};

// ---------------------------------------------------------------- seeded PRNG
function mulberry32(a) {
  return function () {
    a |= 0;
    a = (a + 0x6D2B79F5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function readStdin() {
  return require('fs').readFileSync(0, 'utf8');
}

const command = JSON.parse(readStdin());
const seed = command.seed === undefined || command.seed === null ? 1 : command.seed;
if (typeof seed !== 'number' || !Number.isInteger(seed)) {
  throw new Error('seed must be an integer, got ' + JSON.stringify(seed));
}
// Must happen BEFORE synaptic is required and before any network is built:
// every weight, bias, Liquid topology choice and Trainer shuffle uses Math.random.
Math.random = mulberry32(seed >>> 0);

const synaptic = require('synaptic');
const { Network, Layer, Trainer, Architect, Neuron } = synaptic;
const SYNAPTIC_VERSION = require('synaptic/package.json').version;

// ---------------------------------------------------------------- helpers
// Layer.connectionType values are strings with spaces ("ALL TO ALL"); accept the
// key spelling ("ALL_TO_ALL") too. Anything else is passed through untouched
// (note: LSTM peepholes: true is NOT a connection type and creates no peepholes).
function connectionTypeOf(value) {
  if (typeof value === 'string' && Object.prototype.hasOwnProperty.call(Layer.connectionType, value)) {
    return Layer.connectionType[value];
  }
  return value;
}

function costOf(name) {
  if (name === undefined || name === null) return undefined;
  if (typeof name !== 'string' || !(name in Trainer.cost)) {
    throw new Error('unknown cost ' + JSON.stringify(name) + '; use one of ' + Object.keys(Trainer.cost).join(', '));
  }
  return Trainer.cost[name];
}

function build(cmd) {
  const arch = cmd.arch;
  const sizes = cmd.sizes;
  const options = cmd.options;
  if (!Array.isArray(sizes)) throw new Error('build needs "sizes" (a list of integers)');
  switch (arch) {
    case 'Perceptron':
      return new Architect.Perceptron(...sizes);
    case 'LSTM': {
      if (options === undefined || options === null) return new Architect.LSTM(...sizes);
      const opts = Object.assign({}, options);
      if (Object.prototype.hasOwnProperty.call(opts, 'peepholes')) opts.peepholes = connectionTypeOf(opts.peepholes);
      return new Architect.LSTM(...sizes, opts);
    }
    case 'Liquid': {
      // sizes: [inputs, hidden, outputs]; options: {connections, gates}
      const o = options || {};
      if (sizes.length !== 3) throw new Error('Liquid sizes must be [inputs, hidden, outputs]');
      return new Architect.Liquid(sizes[0], sizes[1], sizes[2], o.connections, o.gates);
    }
    case 'Hopfield':
      if (sizes.length !== 1) throw new Error('Hopfield sizes must be [size]');
      return new Architect.Hopfield(sizes[0]);
    default:
      throw new Error('unknown arch ' + JSON.stringify(arch) + ' (Perceptron, LSTM, Liquid, Hopfield)');
  }
}

function networkFrom(cmd) {
  if (cmd.json) return Network.fromJSON(cmd.json);
  if (cmd.arch) return build(cmd);
  throw new Error('need either "json" (a Network.toJSON() object) or "arch" + "sizes"');
}

// Unoptimized mode must be chosen before the first activate/propagate: setOptimize(false)
// calls restore(), which on an already-compiled network would write gain 0 into every
// ungated connection (Network.restore only knows gains that have a variable).
function prepare(network, cmd) {
  const optimized = cmd.optimized === undefined ? true : !!cmd.optimized;
  if (!optimized) network.setOptimize(false);
  if (cmd.clear_before) network.clear();
  return optimized;
}

function neuronStates(network) {
  // [state, activation] per neuron in toJSON order (input, hidden..., output)
  return network.toJSON().neurons.map(n => [n.state, n.activation]);
}

// ---------------------------------------------------------------- commands
function opBuild(cmd) {
  const network = build(cmd);
  return { json: network.toJSON() };
}

function opRun(cmd) {
  const network = networkFrom(cmd);
  const optimized = prepare(network, cmd);
  const stream = cmd.stream || [];
  const rate = cmd.rate === undefined ? 0.1 : cmd.rate;
  const result = { optimized: optimized, json_before: network.toJSON() };
  const outputs = [];
  const states = cmd.record_states ? [] : null;
  for (let i = 0; i < stream.length; i++) {
    const step = stream[i];
    const out = network.activate(step.input);
    outputs.push(Array.from(out));
    if (states) states.push(neuronStates(network));
    if (step.target !== undefined && step.target !== null) {
      network.propagate(step.rate === undefined ? rate : step.rate, step.target);
    }
  }
  result.outputs = outputs;
  if (states) result.states = states;
  result.json_after = network.toJSON();
  return result;
}

function opTrainer(cmd) {
  const network = networkFrom(cmd);
  const optimized = prepare(network, cmd);
  const trainer = new Trainer(network, cmd.trainer_options ? trainerOptions(cmd.trainer_options) : undefined);
  const result = { optimized: optimized, json_before: network.toJSON() };
  const scheduleCalls = [];

  if (cmd.task) {
    // Built-in tasks: XOR, DSR, ERG, timingTask. Options as JSON (cost by name).
    const opts = taskOptions(cmd.options || {}, scheduleCalls);
    if (!['XOR', 'DSR', 'ERG', 'timingTask'].includes(cmd.task)) throw new Error('unknown task ' + cmd.task);
    const r = trainer[cmd.task](opts);
    result.result = plain(r);
  } else {
    const set = cmd.set;
    if (!Array.isArray(set)) throw new Error('trainer needs "set": [{input, output}, ...]');
    const opts = trainOptions(cmd.options, scheduleCalls);
    const r = trainer.train(set, opts);
    result.result = plain(r);
    result.set_after = set; // train(..., {shuffle: true}) shuffles the caller's array in place
    if (cmd.test_after) result.test = plain(trainer.test(set, opts));
    result.outputs = set.map(s => Array.from(network.activate(s.input)));
  }
  result.schedule_calls = scheduleCalls;
  result.json_after = network.toJSON();
  return result;
}

function trainerOptions(o) {
  const opts = Object.assign({}, o);
  if ('cost' in opts) opts.cost = costOf(opts.cost);
  return opts;
}

// JSON options -> Trainer.train options. cost by name; schedule {every, abort_at_iteration?,
// abort_below_error?} records every schedule.do call and returns true (abort) when asked.
function trainOptions(o, scheduleCalls) {
  if (o === undefined || o === null) return undefined;
  const opts = Object.assign({}, o);
  if ('cost' in opts) opts.cost = costOf(opts.cost);
  if (opts.schedule) {
    const spec = opts.schedule;
    opts.schedule = {
      every: spec.every,
      do: function (data) {
        const d = Object.assign({}, data);
        delete d.time;
        scheduleCalls.push(d);
        if (spec.abort_at_iteration !== undefined && data.iterations >= spec.abort_at_iteration) return true;
        if (spec.abort_below_error !== undefined && data.error < spec.abort_below_error) return true;
        return false;
      },
    };
  }
  return opts;
}

function taskOptions(o, scheduleCalls) {
  return trainOptions(o, scheduleCalls) || {};
}

// Drop functions (ERG returns test/generate) and wall-clock "time" for determinism.
function plain(r) {
  const out = {};
  for (const k of Object.keys(r)) {
    if (typeof r[k] === 'function' || k === 'time') continue;
    out[k] = r[k] && typeof r[k] === 'object' && !Array.isArray(r[k]) ? plain(r[k]) : r[k];
  }
  return out;
}

// A port: tests/synaptic/ports/<name>.js exports function (synaptic, args) -> JSON-able result.
// It runs Synaptic's own example code (README, wiki) so tests can compare axonal's objects with it.
function opPort(cmd) {
  if (typeof cmd.name !== 'string' || !/^[a-z0-9_]+$/.test(cmd.name)) {
    throw new Error('port needs "name": a file name in tests/synaptic/ports (letters, digits, _)');
  }
  const port = require('./ports/' + cmd.name + '.js');
  return { result: port(synaptic, cmd.args || {}) };
}

const ops = { build: opBuild, run: opRun, trainer: opTrainer, port: opPort };

function main() {
  const fn = ops[command.op];
  if (!fn) throw new Error('unknown op ' + JSON.stringify(command.op) + ' (build, run, trainer, port)');
  const result = fn(command);
  result.synaptic_version = SYNAPTIC_VERSION;
  result.seed = seed;
  realStdoutWrite(JSON.stringify(result) + '\n');
}

main();
