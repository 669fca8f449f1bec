#!/usr/bin/env bash
# Post-training end to end on the demo's character model, with a judge a person can state: the AFINN-165
# sentiment lexicon (examples/data/afinn-165.json), whose score of a text is the sum of its words' valences.
#
#   1. pretrain      examples/specs/gpt-char.yaml (the demo's run)
#   2. SFT           examples/specs/sft-char.yaml: "Continue the verse." and "Which book?" instructions
#   3. judged pairs  ablate judge-pairs: 8 samples of the SFT model per training prompt, the judge's best
#                    becomes chosen and its worst rejected (ties dropped)
#   4. reward model  examples/post-training/reward.yaml on those pairs
#   5. DPO           examples/post-training/dpo.yaml on the same pairs, against the SFT model
#   6. PPO           examples/post-training/ppo.yaml against the reward model, KL penalty to the SFT model
#   7. PPO, no KL    the same with objective.kl_coef=0
#   8. PPO, judge    the same as 6 with the judge itself as the reward (objective.reward=judge): no reward model
#   9. judge         ablate judge of SFT, DPO and the three PPO runs on the held-out prompts (8 samples each):
#                    the judge's score, the reward model's score, the KL to the SFT model
#  10. plot          ablate plot of the PPO runs' held-out curves, SFT and DPO as levels
#
# Usage: examples/post-training/run.sh [OUT]   (default runs/post-training; run from anywhere)
# A stage whose run folder holds a finished run is kept (delete the folder, or REDO=1 to redo everything).
# Writes OUT/summary.md (the table) and OUT/judge-kl.png; prints the table. PLOT=FILE also writes the plot there.
set -euo pipefail
cd "$(dirname "$0")/../.."
out=${1:-runs/post-training}
lexicon=examples/data/afinn-165.json
prompts=examples/data/kjv-sentiment-prompts.jsonl
template=$'Continue the verse.\n{prompt}\n=> '
samples=8
mkdir -p "$out"
start=$(date +%s)
timings="$out/timings.txt"
: > "$timings"

stage() {  # stage NAME COMMAND...: runs and times one stage
    local name=$1; shift
    local t0; t0=$(date +%s)
    echo "== $name: $*"
    "$@"
    echo "$name $(( $(date +%s) - t0 )) s, load $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$timings"
}
finished() { [ -z "${REDO:-}" ] && grep -qs '"status" *: *"finished"' "$1/run.json"; }
train() {  # train NAME SPEC [--from DIR] [--set ...]
    local name=$1 spec=$2; shift 2
    if finished "$out/$name"; then echo "== $name: kept ($out/$name is finished)"; return; fi
    stage "$name" ./ablate train "$spec" --out "$out/$name" --overwrite "$@"
}

train gpt-char examples/specs/gpt-char.yaml
train sft examples/specs/sft-char.yaml --from "$out/gpt-char"
if [ -n "${REDO:-}" ] || [ ! -s "$out/judged-pairs.jsonl" ] || [ "$out/judged-pairs.jsonl" -ot "$out/sft/run.json" ]; then
    pairs() {
        ./ablate judge-pairs "$out/sft" --prompts "$prompts" --held-out 0.1 --template "$template" --samples $samples \
            --lexicon "$lexicon" --out "$out/judged-pairs.jsonl" --overwrite > "$out/judge-pairs.log"
        cat "$out/judge-pairs.log"
    }
    stage judge-pairs pairs
fi
train reward examples/post-training/reward.yaml --from "$out/sft" --set "data.path=$out/judged-pairs.jsonl"
train dpo examples/post-training/dpo.yaml --from "$out/sft" --set "data.path=$out/judged-pairs.jsonl"
train ppo examples/post-training/ppo.yaml --from "$out/sft" --set "objective.reward_model=$out/reward"
train ppo-no-kl examples/post-training/ppo.yaml --from "$out/sft" --set "objective.reward_model=$out/reward" --set objective.kl_coef=0
train ppo-judge examples/post-training/ppo.yaml --from "$out/sft" --set objective.reward=judge

judge() {
    ./ablate judge "$out/$1" --prompts "$prompts" --held-out 0.1 --template "$template" --samples $samples --lexicon "$lexicon" \
        --reference "$out/sft" --reward-model "$out/reward" --show 4 > "$out/judge-$1.json"
}
for m in sft dpo ppo ppo-no-kl ppo-judge; do stage "judge-$m" judge $m; done
stage plot ./ablate plot "PPO=$out/ppo" "PPO, kl_coef 0=$out/ppo-no-kl" "PPO on the judge=$out/ppo-judge" --held-out --metric judge --metric kl --metric reward \
    --level "SFT=$out/judge-sft.json" --level "DPO=$out/judge-dpo.json" --title "held-out prompts" --out "$out/judge-kl.png" --overwrite
if [ -n "${PLOT:-}" ]; then cp "$out/judge-kl.png" "$PLOT"; fi

field() { sed -n "s/^  \"$2\" : \\([^,]*\\),\\{0,1\\}\$/\\1/p" "$1" | head -n 1; }
fmt() { LC_ALL=C awk -v x="$1" -v d="$2" 'BEGIN { if (x == "") print "-"; else printf "%." d "f", x }'; }
{
    echo "| model | judge (mean AFINN score) | positive / negative share | reward model | KL to SFT | distinct responses |"
    echo "|---|---|---|---|---|---|"
    for m in sft dpo ppo ppo-no-kl ppo-judge; do
        f="$out/judge-$m.json"
        echo "| $m | $(fmt "$(field "$f" judge)" 3) ± $(fmt "$(field "$f" judge_sd)" 2) | $(fmt "$(field "$f" positive_share)" 3) / $(fmt "$(field "$f" negative_share)" 3) | $(fmt "$(field "$f" reward)" 3) | $(fmt "$(field "$f" kl)" 2) | $(fmt "$(field "$f" distinct_share)" 3) |"
    done
    echo
    echo "$(sed -n 's/^\([0-9][0-9]*\) prompts, \([0-9]*\) responses each: \([0-9]*\) pairs.*/judged pairs: \3 from \1 prompts x \2 samples/p' "$out/judge-pairs.log" 2>/dev/null)"
    echo "held-out prompts: $(field "$out/judge-sft.json" prompts), $samples responses each (± is the standard deviation of one response's score)"
    echo "wall time: $(( $(date +%s) - start )) s; stages:"
    sed 's/^/    /' "$timings"
} > "$out/summary.md"
cat "$out/summary.md"
