#!/usr/bin/env bash
# Runs every cargo-fuzz target of fuzz/ briefly on its committed seed corpus and fails on
# any crash, failed invariant or timeout. Needs the nightly toolchain (`cargo +nightly`);
# without it, says so and exits 0. Installs cargo-fuzz (from crates.io, built from
# source) when it is missing.
#
#   bash fuzz/ci.sh                 # 15 s per target
#   FUZZ_SECONDS=600 bash fuzz/ci.sh
#
# The grown corpus and any artifacts go to a temporary directory, never into the tree;
# a failing input is printed (escaped) and kept under fuzz/artifacts/<target>/ (ignored
# by git) so that it can be replayed with `cargo +nightly fuzz run <target> <file>`.
set -uo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
fuzz_dir="$root/fuzz"
seconds="${FUZZ_SECONDS:-15}"

if ! cargo +nightly --version >/dev/null 2>&1; then
    echo "fuzz: skipped: the nightly toolchain is not installed (\`cargo +nightly\` does not work), and cargo-fuzz needs it for its sanitizer and coverage flags"
    exit 0
fi

if ! cargo fuzz --version >/dev/null 2>&1; then
    echo "fuzz: cargo-fuzz is missing; installing it with cargo install cargo-fuzz --locked"
    if ! cargo install cargo-fuzz --locked; then
        echo "fuzz: FAILED to install cargo-fuzz" >&2
        exit 1
    fi
fi
echo "fuzz: $(cargo +nightly --version), $(cargo fuzz --version)"

dict_for() {
    case "$1" in
        origin_matching) echo "$fuzz_dir/dicts/origin.dict" ;;
        *) echo "$fuzz_dir/dicts/$1.dict" ;;
    esac
}

echo "fuzz: building the targets"
if ! (cd "$root" && cargo +nightly fuzz build --fuzz-dir "$fuzz_dir"); then
    echo "fuzz: FAILED to build the fuzz targets" >&2
    exit 1
fi

work="$(mktemp -d "${TMPDIR:-/tmp}/cors-fuzz.XXXXXX")"
trap 'rm -rf "$work"' EXIT

passed=0
failed=0
for target in $(cd "$root" && cargo +nightly fuzz list --fuzz-dir "$fuzz_dir"); do
    dir="$work/$target"
    mkdir -p "$dir/corpus" "$dir/artifacts"
    args=(-max_total_time="$seconds" -timeout=2 -artifact_prefix="$dir/artifacts/")
    dict="$(dict_for "$target")"
    [ -f "$dict" ] && args+=(-dict="$dict")
    [ "$target" = policy_config ] && args+=(-max_len=4096)
    # The working corpus comes first (libFuzzer writes new inputs there); the committed
    # seed corpus is only read.
    (cd "$dir" && cargo +nightly fuzz run --fuzz-dir "$fuzz_dir" "$target" \
        "$dir/corpus" "$fuzz_dir/corpus/$target" -- "${args[@]}") >"$dir/log" 2>&1
    status=$?
    summary="$(grep -E '^#[0-9]+[[:space:]]+DONE' "$dir/log" | tail -n 1)"
    if [ "$status" -eq 0 ] && [ -z "$(ls -A "$dir/artifacts")" ]; then
        echo "fuzz: $target ok: ${summary:-no summary line}"
        passed=$((passed + 1))
    else
        failed=$((failed + 1))
        echo "fuzz: $target FAILED (exit $status)" >&2
        # The failed invariant (a Rust panic), or the sanitizer's or libFuzzer's report.
        grep -A 8 -m 1 'panicked at' "$dir/log" >&2 \
            || grep -B 2 -A 20 -m 1 -E '^==[0-9]+==ERROR|ALARM|^SUMMARY' "$dir/log" >&2 \
            || tail -n 40 "$dir/log" >&2
        grep -E '^SUMMARY' "$dir/log" >&2
        mkdir -p "$fuzz_dir/artifacts/$target"
        for artifact in "$dir"/artifacts/*; do
            [ -e "$artifact" ] || continue
            cp "$artifact" "$fuzz_dir/artifacts/$target/"
            echo "fuzz: input $(basename "$artifact") (kept in fuzz/artifacts/$target/):" >&2
            python3 -c 'import sys; print(repr(open(sys.argv[1], "rb").read()))' "$artifact" >&2 \
                || od -c "$artifact" | head -n 40 >&2
        done
    fi
done

echo "fuzz: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
