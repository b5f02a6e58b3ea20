#!/usr/bin/env python3
"""Splits the JSON Schema test suite into single-file fuzzing seeds (scripts/fuzz.sh runs this).

    scripts/json_schema_seeds.py SUITE_DIR SCHEMA_OUT DOCUMENT_OUT

Each file under SUITE_DIR/tests/draft7 (optional/ included) is an array of
{description, schema, tests: [{description, data, valid}]}. Every group's schema becomes one file in
SCHEMA_OUT (seeds for schema_compile_fuzzer), every test's data one file in DOCUMENT_OUT (seeds for
schema_validate_fuzzer); the remote schemas under SUITE_DIR/remotes are schema seeds too. Files are
named after their source and position, so running this again rewrites the same files.
"""
import json
import os
import sys


def write(directory, name, value):
    with open(os.path.join(directory, name), "w", encoding="utf-8") as out:
        json.dump(value, out, ensure_ascii=False, separators=(",", ":"))


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    suite, schema_out, document_out = sys.argv[1:]
    os.makedirs(schema_out, exist_ok=True)
    os.makedirs(document_out, exist_ok=True)
    tests = os.path.join(suite, "tests", "draft7")
    for directory, _, files in os.walk(tests):
        for file in sorted(files):
            if not file.endswith(".json"):
                continue
            path = os.path.join(directory, file)
            stem = os.path.relpath(path, tests)[: -len(".json")].replace(os.sep, "-")
            with open(path, encoding="utf-8") as f:
                groups = json.load(f)
            for g, group in enumerate(groups):
                write(schema_out, f"{stem}-{g}.json", group["schema"])
                for t, test in enumerate(group.get("tests", [])):
                    write(document_out, f"{stem}-{g}-{t}.json", test["data"])
    remotes = os.path.join(suite, "remotes")
    for directory, _, files in os.walk(remotes):
        for file in sorted(files):
            if file.endswith(".json"):
                path = os.path.join(directory, file)
                with open(path, encoding="utf-8") as f:
                    value = json.load(f)
                name = "remote-" + os.path.relpath(path, remotes).replace(os.sep, "-")
                write(schema_out, name, value)


if __name__ == "__main__":
    main()
