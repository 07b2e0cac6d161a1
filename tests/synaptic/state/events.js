#!/usr/bin/env node
// Runs one Synaptic 1.1.4 network through a list of events, for tests/test_synaptic_state.py.
//
// stdin: {"seed", "json" | ("arch", "sizes", "options"), "optimized" (default true), "events": [...]}
// with events {"input": [...], "target": [...] | null, "rate"?: r} (activate, then propagate
// when a target is given), {"clear": true} (network.clear()) or {"json": true} (toJSON() now).
// stdout: {"outputs": [one list per activate], "jsons": [each toJSON asked for], "json_after"}.
// Math.random is mulberry32(seed) before Synaptic is loaded, as in ../reference.js.
'use strict';

const realStdoutWrite = process.stdout.write.bind(process.stdout);
console.log = console.info = console.warn = console.debug = function () {
  process.stderr.write(Array.prototype.map.call(arguments, String).join(' ') + '\n');
};

function mulberry32(a) {
  return function () {
    a |= 0;
    a = (a + 0x6D2B79F5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const command = JSON.parse(require('fs').readFileSync(0, 'utf8'));
const seed = command.seed === undefined ? 1 : command.seed;
if (!Number.isInteger(seed)) throw new Error('seed must be an integer');
Math.random = mulberry32(seed >>> 0);

const { Network, Layer, Architect } = require('synaptic');

function build(cmd) {
  const sizes = cmd.sizes;
  if (cmd.arch === 'Perceptron') return new Architect.Perceptron(...sizes);
  if (cmd.arch === 'LSTM') {
    if (!cmd.options) return new Architect.LSTM(...sizes);
    const opts = Object.assign({}, cmd.options);
    if (typeof opts.peepholes === 'string' && opts.peepholes in Layer.connectionType) {
      opts.peepholes = Layer.connectionType[opts.peepholes];
    }
    return new Architect.LSTM(...sizes, opts);
  }
  if (cmd.arch === 'Liquid') {
    const o = cmd.options || {};
    return new Architect.Liquid(sizes[0], sizes[1], sizes[2], o.connections, o.gates);
  }
  throw new Error('unknown arch ' + JSON.stringify(cmd.arch));
}

const network = command.json ? Network.fromJSON(command.json) : build(command);
if (command.optimized === false) network.setOptimize(false);
const outputs = [];
const jsons = [];
for (const event of command.events || []) {
  if (event.clear) {
    network.clear();
  } else if (event.json) {
    jsons.push(network.toJSON());
  } else {
    outputs.push(Array.from(network.activate(event.input)));
    if (event.target !== undefined && event.target !== null) {
      network.propagate(event.rate === undefined ? 0.1 : event.rate, event.target);
    }
  }
}
realStdoutWrite(JSON.stringify({ outputs: outputs, jsons: jsons, json_after: network.toJSON() }) + '\n');
