"""Turns CustomResourceDefinitions into the JSON schemas kubeconform loads, one file per kind and
version: OUT_DIR/<group>/<kind>_<version>.json. Strict like Kubernetes' own strict schemas: an
object that lists its properties admits no others, unless the CRD keeps unknown fields there.

    python crd-schemas.py OUT_DIR CRD.yaml...
"""
import json
import os
import sys

import yaml


def to_json_schema(node):
    """The OpenAPI v3 subset CRDs use, as JSON Schema: int-or-string and nullable spelled out, objects closed."""
    if isinstance(node, list):
        return [to_json_schema(v) for v in node]
    if not isinstance(node, dict):
        return node
    schema = {}
    for key, value in node.items():
        if key.startswith("x-kubernetes-") or key == "nullable":
            continue
        if key == "properties":
            schema[key] = {name: to_json_schema(v) for name, v in value.items()}
        else:
            schema[key] = to_json_schema(value)
    if node.get("x-kubernetes-int-or-string") is True:
        schema.pop("type", None)
        schema["anyOf"] = [{"type": "string"}, {"type": "integer"}]
    if node.get("nullable") is True and isinstance(schema.get("type"), str):
        schema["type"] = [schema["type"], "null"]
    if "properties" in schema and "additionalProperties" not in schema and node.get("x-kubernetes-preserve-unknown-fields") is not True:
        schema["additionalProperties"] = False
    return schema


def main(out_dir, files):
    written = 0
    for path in files:
        with open(path, encoding="utf-8") as f:
            documents = list(yaml.safe_load_all(f))
        for crd in documents:
            if not crd or crd.get("kind") != "CustomResourceDefinition":
                continue
            spec = crd["spec"]
            os.makedirs(os.path.join(out_dir, spec["group"]), exist_ok=True)
            for version in spec["versions"]:
                open_api = version.get("schema", {}).get("openAPIV3Schema")
                if open_api is None:
                    sys.exit(f"{path}: {spec['names']['kind']} {version['name']} has no openAPIV3Schema")
                target = os.path.join(out_dir, spec["group"], f"{spec['names']['kind'].lower()}_{version['name']}.json")
                with open(target, "w", encoding="utf-8") as f:
                    json.dump(to_json_schema(open_api), f)
                written += 1
    if written == 0:
        sys.exit("crd-schemas: no CustomResourceDefinition found")
    print(f"crd-schemas: {written} schema(s) -> {out_dir}", file=sys.stderr)


if __name__ == "__main__":
    if len(sys.argv) < 3:
        sys.exit("usage: crd-schemas.py OUT_DIR CRD.yaml...")
    main(sys.argv[1], sys.argv[2:])
