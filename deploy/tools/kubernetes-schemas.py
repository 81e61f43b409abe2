"""Copies one Kubernetes version's strict JSON schemas out of the kubernetes-validate wheel into the
layout kubeconform reads (DIR/v<version>-standalone-strict/<kind>-<group>-<version>.json).

The wheel's schemas name themselves with https://kubernetes.io/... ids and reach their shared
definitions through those ids; kubeconform loads files, so the ids go and every reference points
at the definitions file beside it.

    python kubernetes-schemas.py KUBERNETES_VERSION OUT_DIR
"""
import json
import os
import sys

import kubernetes_validate

DEFINITIONS_REF = "/api/_definitions.json"


def relink(node):
    if isinstance(node, dict):
        node.pop("$id", None)
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith(DEFINITIONS_REF):
            node["$ref"] = "_definitions.json" + ref[len(DEFINITIONS_REF):]
        for value in node.values():
            relink(value)
    elif isinstance(node, list):
        for value in node:
            relink(value)


def main(version, out_dir):
    source = os.path.join(os.path.dirname(kubernetes_validate.__file__), "kubernetes-json-schema", f"v{version}-local-strict")
    if not os.path.isdir(source):
        sys.exit(f"kubernetes-validate has no schemas for Kubernetes {version} ({source})")
    target = os.path.join(out_dir, f"v{version}-standalone-strict")
    os.makedirs(target, exist_ok=True)
    names = sorted(n for n in os.listdir(source) if n.endswith(".json"))
    for name in names:
        with open(os.path.join(source, name), encoding="utf-8") as f:
            schema = json.load(f)
        relink(schema)
        with open(os.path.join(target, name), "w", encoding="utf-8") as f:
            json.dump(schema, f)
    print(f"kubernetes-schemas: {len(names)} schemas for Kubernetes {version} -> {target}", file=sys.stderr)


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: kubernetes-schemas.py KUBERNETES_VERSION OUT_DIR")
    main(sys.argv[1], sys.argv[2])
