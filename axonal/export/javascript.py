"""A network as a dependency-free JavaScript module: Synaptic's ``standalone()``, for the browser or node.

``to_javascript(network)`` returns the source of a module that needs nothing but
the language: every weight is written out as a number literal (the ``repr`` of its
float64 value, which JavaScript reads back exactly), and the arithmetic loops over
plain arrays. The file works both ways:

* as CommonJS (node): ``const net = require("./model.js")``;
* as a plain script (a ``<script>`` element): it defines one global, ``axonalNetwork``
  (``global_name=``), and touches nothing else.

The module's object (frozen) holds

``predict(x)``
    the network's output for *one* sample, as ``network.predict`` gives it, from a fresh
    state: for a network of vectors ``x`` is an array of numbers; for a recurrent one
    (a ``Sequential`` starting on sequences, a recurrent ``GraphNetwork``) ``x`` is a whole
    sequence, an array of time steps, and the result is every step's output or the last
    one's, as the network returns it;
``activate(x)``, ``reset()``
    step by step, as Synaptic's ``activate`` and axonal's ``GraphNetwork.activate``: one
    time step (an array of numbers) of a state carried between calls; the output is what
    ``predict`` gives for the steps seen since the last ``reset()`` (its last step's output).
    For a network of vectors ``activate`` is ``predict``;
``create()``
    a new, independent ``{activate, reset}`` with a state of its own;
``predictProba(x)``, ``predictClass(x)``
    for a classifier (a network trained with a loss whose link gives class probabilities):
    the probabilities (the loss's link applied to ``predict``: softmax, the logistic, or
    the outputs themselves) and the class label, as ``predict_proba`` and ``predict_classes``
    give them (the most probable class; one output: the second label where its probability is
    above one half), applied to each step of a sequence output;
``network``, ``layerNames``, ``connectionNames``, ``classes``, ``inputSize``, ``outputSize``, ``recurrent``
    the network's description, its layers' descriptions (``Sequential``) or names (graph),
    connection names (graph), class labels (classifiers), sizes.

Names are data: they enter the module only as string literals made by
:func:`~axonal.export.escape.js_string` (printable ASCII, ``\\uXXXX`` for everything
else, so nothing ends the literal, no line separator breaks a line, and no ``</script>``
ends the element around it), never as identifiers, comments or code; every module is
checked by :func:`~axonal.export.js_audit.audit_javascript` before it is returned. A
float64 network and its module agree to round-off (a float32 network's module computes in
float64, so it agrees to float32 precision). Inference only: dropout is the identity and
batch normalisation uses its running statistics.
"""

from __future__ import annotations

from ..names import printable
from ._files import write_text_atomically

__all__ = ["save_javascript", "to_javascript"]

#: The links of the classification losses: loss name -> the activation that gives probabilities.
LINKS = {"softmax_cross_entropy": "softmax", "binary_cross_entropy_logits": "logistic",
         "binary_cross_entropy": "identity", "categorical_cross_entropy": "identity"}


def to_javascript(network, *, global_name: str = "axonalNetwork") -> str:
    """The source of a standalone JavaScript module computing ``network`` (see the module docstring).

    Raises ``TypeError`` naming a layer that has no standalone form, ``ValueError`` naming a layer
    whose activation has none (or one not ready: an unadapted scaler), or when the generated module
    fails its audit.
    """
    from ..graph import GraphNetwork
    from ..network import Sequential
    from .js_code import JsModule, check_js_identifier

    check_js_identifier(global_name, "the global name")
    if not isinstance(network, Sequential):
        raise TypeError(f"to_javascript needs a Sequential or GraphNetwork, got "
                        f"{printable(type(network).__name__, 80)}")
    if not network.built:
        raise ValueError(f"to_javascript: {printable(network.describe(), 80)} is not built yet "
                         f"(give input_dim, or fit it first)")
    module = JsModule()
    module.name(global_name)
    if isinstance(network, GraphNetwork):
        from .graph_source import emit_graph
        info = emit_graph(network, module, module.name("predict"))
    else:
        from .sequential_source import emit_sequential
        info = emit_sequential(network, module, module.name("predict"), stepper=True)
    api = {"predict": info["predict"]}
    api.update(_stateful(module, info))
    api.update(_classifier(network, module, info))
    api.update({"network": "NETWORK", "layerNames": "LAYERS"})
    if "CONNECTIONS" in module._taken:
        api["connectionNames"] = "CONNECTIONS"
    api.update({"inputSize": str(info["inputs"]), "outputSize": str(info["outputs"]),
                "recurrent": "true" if info["recurrent"] else "false"})
    from .._version import __version__
    kind = "GraphNetwork" if isinstance(network, GraphNetwork) else "Sequential"
    header = (f"A {kind} as standalone JavaScript, generated by axonal {__version__}.\n\n"
              f"predict(x): {info['shape']}.\n"
              + ("activate(x) runs one time step of a carried state, reset() forgets it.\n" if info["recurrent"]
                 else "activate(x) is predict(x).\n") +
              f"CommonJS: require() gives the object below; a plain script defines {global_name}.\n"
              f"Needs nothing else; every weight is written out below.")
    return module.render(header, global_name, api)


def save_javascript(network, path, *, global_name: str = "axonalNetwork") -> str:
    """Write :func:`to_javascript`'s module to ``path`` atomically; return the path."""
    return write_text_atomically(path, to_javascript(network, global_name=global_name))


def _stateful(module, info) -> dict:
    """``create``, ``activate`` and ``reset``: a state kept in a closure, and a default one."""
    create, activate, reset = module.name("create"), module.name("activate"), module.name("reset")
    module.define(create, "", [
        f"var st = {info['new_state']}();",
        "return Object.freeze({",
        f"  activate: function (x) {{ return {info['activate']}(st, x); }},",
        f"  reset: function () {{ st = {info['new_state']}(); }}",
        "});"], "a network of its own: activate(x) steps its state, reset() forgets it")
    default = module.name("DEFAULT")
    module.function(f"var {default} = {create}();")
    module.define(activate, "x", [f"return {default}.activate(x);"],
                  "one time step of the module's own state")
    module.define(reset, "", [f"{default}.reset();"], "forget the module's own state")
    return {"activate": activate, "reset": reset, "create": create}


def _classifier(network, module, info) -> dict:
    """``predictProba`` and ``predictClass`` when the network's loss gives class probabilities."""
    from ..losses.base import Loss
    loss = getattr(network, "loss_", None)
    if loss is None or not getattr(loss, "probabilities", False):
        return {}
    link = LINKS.get(loss.name)
    if link is None and type(loss).link is Loss.link:
        link = "identity"
    if link is None:
        return {}  # a link the generator does not know: the module offers predict only
    outputs = info["outputs"]
    labels = network.classes_ if network.classes_ is not None else ([0, 1] if outputs == 1 else list(range(outputs)))
    if any(isinstance(c, str) for c in labels):  # mixed labels read as text, as predict_classes gives them
        labels = [str(c) for c in labels]
    classes = module.labels("CLASSES", labels, comment="the class labels, in the order of the outputs")
    proba, pick = module.name("_proba"), module.name("_pick")
    module.define(proba, "y", [f"return {module.activate(link, 'y', 'the link')};"],
                  f"the probabilities of one output vector: {link}")
    if outputs == 1:
        choose = [f"return {classes}[p[0] > 0.5 ? 1 : 0];"]
    else:
        choose = ["var best = 0;", "for (var k = 1; k < p.length; k++) {", "  if (p[k] > p[best]) {",
                  "    best = k;", "  }", "}", f"return {classes}[best];"]
    module.define(pick, "p", choose, "the label of the most probable class")
    predict_proba, predict_class = module.name("predictProba"), module.name("predictClass")
    if info["sequence_output"]:
        each = ["var y = {p}(x), out = [];", "for (var t = 0; t < y.length; t++) {", "  out.push({f}(y[t]));",
                "}", "return out;"]
        module.define(predict_proba, "x", [line.format(p=info["predict"], f=proba) for line in each],
                      "the class probabilities of each step")
        module.define(predict_class, "x", [line.format(p=predict_proba, f=pick) for line in each],
                      "the class label of each step")
    else:
        module.define(predict_proba, "x", [f"return {proba}({info['predict']}(x));"],
                      "the class probabilities")
        module.define(predict_class, "x", [f"return {pick}({predict_proba}(x));"],
                      "the class label")
    return {"predictProba": predict_proba, "predictClass": predict_class, "classes": classes}
