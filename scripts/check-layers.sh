#!/bin/sh
# Checks that data flows one way (README "Layout"): each folder includes only itself and the folders listed
# for it below. Prints every include that breaks the rule and exits 1; prints nothing and exits 0 otherwise.
#   scripts/check-layers.sh [SOURCE_DIR]
set -eu
cd "${1:-$(dirname "$0")/..}"

allowed() {
  case "$1" in
    spec) echo "" ;;
    importer) echo "spec" ;;
    plan) echo "spec" ;;
    model) echo "spec plan" ;;
    mapper) echo "spec plan model" ;;
    sim) echo "spec plan model" ;;
    rtl) echo "spec plan model" ;;
    rtl_cosim) echo "spec plan model sim" ;;
    flow) echo "spec plan model mapper sim" ;;
    parallel) echo "" ;;
    results) echo "spec" ;;
    nas) echo "spec plan model mapper sim flow parallel results" ;;
    sweep) echo "spec importer plan model mapper sim flow parallel results" ;;
    train) echo "spec plan model mapper sim flow parallel results nas" ;;
    cli) echo "spec importer plan model mapper sim flow parallel results nas sweep rtl_cosim train" ;;
    python) echo "spec importer plan model mapper sim flow parallel results nas cli" ;;
    *) echo "-" ;;
  esac
}

status=0
for dir in spec importer plan model mapper sim rtl rtl_cosim flow parallel results nas sweep train cli python; do
  ok=" $dir $(allowed "$dir") "
  for f in $(find "$dir" -name '*.cpp' -o -name '*.hpp' -o -name '*.cpp.in' | sort); do
    grep -n '^#include "[a-z_]*/' "$f" | while IFS= read -r line; do
      target=$(printf '%s\n' "$line" | sed 's/^[0-9]*:#include "\([a-z_]*\)\/.*/\1/')
      case "$ok" in
        *" $target "*) ;;
        *) printf '%s:%s: %s/ may not include %s/\n' "$f" "${line%%:*}" "$dir" "$target" ;;
      esac
    done
  done
done | {
  if IFS= read -r first; then
    printf '%s\n' "$first"
    cat
    exit 1
  fi
}
