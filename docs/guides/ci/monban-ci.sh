#!/usr/bin/env bash
# monban-ci.sh — the one script every CI job of an access repo calls (copy it into the repo
# as ci/monban-ci.sh; the workflows in this directory only call it).
#
#   monban-ci.sh pr          validate, targeted plan, post/update the plan as ONE PR comment,
#                            save the plan (plan.json) for the merge job
#   monban-ci.sh merge       apply the reviewed plan (MONBAN_CI_PLAN_FILE, default
#                            $MONBAN_CI_OUT/plan.json); refused if stale
#   monban-ci.sh schedule    expire + audit + drift, exit the worst of the three
#   monban-ci.sh expire      apply --only-expired: remove grants whose `until` passed, nothing else
#   monban-ci.sh audit       audit --fail-on high (exit 2 = findings)
#   monban-ci.sh drift       plan --detailed-exitcode (exit 2 = the live state drifted)
#   monban-ci.sh comment F   post F as the PR's plan comment, or update the one already there
#   monban-ci.sh fetch-plan  download the plan artifact of the merged PR's last plan run
#
# Exit codes: 0 fine, 1 error (or a refused apply), 2 drift / audit findings.
#
# Environment (all optional unless said otherwise):
#   MONBAN                  the monban binary (default: monban on PATH)
#   MONBAN_REPO             the access repo (default: found upwards from the working dir)
#   MONBAN_CI_OUT           where plan.json, plan.md and logs go (default: monban-ci-out)
#   MONBAN_CI_BASE          git revision the PR is planned against (default: origin/$GITHUB_BASE_REF)
#   MONBAN_CI_TARGET_ARGS   extra target flags for monban, e.g. `--endpoint-url URL` (word-split)
#   MONBAN_CI_EXPIRING_WITHIN  window of `plan --expiring-within` on PRs (default 14d; empty: off)
#   MONBAN_CI_AUDIT_FAIL_ON audit threshold (default high)
#   MONBAN_CI_COMMENT_FILE  dry run: write the PR comment here instead of calling GitHub
#   MONBAN_CI_PR            the pull request number (default: from $GITHUB_EVENT_PATH)
#   GITHUB_TOKEN, GITHUB_REPOSITORY, GITHUB_API_URL (default https://api.github.com)
#     — needed to post the comment / fetch the plan; GitHub Actions sets all but the token.
#
# Needs bash, git, curl and jq (all on GitHub's runners); `fetch-plan` also needs unzip.
set -euo pipefail

MONBAN="${MONBAN:-monban}"
OUT="${MONBAN_CI_OUT:-monban-ci-out}"
# The hidden first line of every monban plan comment (monban-render's MARKDOWN_MARKER).
MARKER='<!-- monban-plan -->'
read -r -a TARGET_ARGS <<<"${MONBAN_CI_TARGET_ARGS:-}"

log() { printf 'monban-ci: %s\n' "$*" >&2; }
# A GitHub Actions annotation when running there, a plain line elsewhere.
error() {
	if [[ -n "${GITHUB_ACTIONS:-}" ]]; then printf '::error::%s\n' "$*" >&2; else printf 'monban-ci: error: %s\n' "$*" >&2; fi
}

warning() {
	if [[ -n "${GITHUB_ACTIONS:-}" ]]; then printf '::warning::%s\n' "$*" >&2; else printf 'monban-ci: warning: %s\n' "$*" >&2; fi
}

# Runs monban, keeping its exit code (set -e must not stop the script on exit 2).
run_monban() {
	local status=0
	"$MONBAN" "$@" || status=$?
	return "$status"
}

github_api() { # METHOD PATH [BODY_FILE] → response body on stdout
	local method="$1" path="$2" body="${3:-}"
	: "${GITHUB_TOKEN:?GITHUB_TOKEN is needed to talk to GitHub (or set MONBAN_CI_COMMENT_FILE for a dry run)}"
	local arguments=(--silent --show-error --fail-with-body --location -X "$method"
		-H "Authorization: Bearer $GITHUB_TOKEN"
		-H "Accept: application/vnd.github+json"
		-H "X-GitHub-Api-Version: 2022-11-28"
		-H "Expect:")
	if [[ -n "$body" ]]; then
		arguments+=(-H "Content-Type: application/json" --data-binary "@$body")
	fi
	curl "${arguments[@]}" "${GITHUB_API_URL:-https://api.github.com}$path"
}

pr_number() {
	if [[ -n "${MONBAN_CI_PR:-}" ]]; then
		printf '%s\n' "$MONBAN_CI_PR"
	elif [[ -n "${GITHUB_EVENT_PATH:-}" && -f "$GITHUB_EVENT_PATH" ]]; then
		jq -er '.pull_request.number // .number' "$GITHUB_EVENT_PATH"
	else
		error "no pull request number: set MONBAN_CI_PR"
		return 1
	fi
}

# Posts FILE as the plan comment of the PR, or updates the comment that already carries the
# marker (the first such comment; GitHub lists comments oldest first), so a PR has exactly one.
comment() {
	local file="$1"
	if [[ -n "${MONBAN_CI_COMMENT_FILE:-}" ]]; then
		cp "$file" "$MONBAN_CI_COMMENT_FILE"
		log "dry run: wrote the comment to $MONBAN_CI_COMMENT_FILE"
		return 0
	fi
	: "${GITHUB_REPOSITORY:?GITHUB_REPOSITORY (owner/name) is needed to post the comment}"
	local pr page=1 existing="" batch
	pr="$(pr_number)"
	while :; do
		batch="$(github_api GET "/repos/$GITHUB_REPOSITORY/issues/$pr/comments?per_page=100&page=$page")"
		existing="$(jq -r --arg marker "$MARKER" \
			'[.[] | select(.body | startswith($marker))][0].id // empty' <<<"$batch")"
		if [[ -n "$existing" || "$(jq 'length' <<<"$batch")" -lt 100 ]]; then break; fi
		page=$((page + 1))
	done
	local body
	body="$(mktemp)"
	jq -Rs '{body: .}' <"$file" >"$body"
	if [[ -n "$existing" ]]; then
		github_api PATCH "/repos/$GITHUB_REPOSITORY/issues/comments/$existing" "$body" >/dev/null
		log "updated the plan comment $existing on pull request #$pr"
	else
		github_api POST "/repos/$GITHUB_REPOSITORY/issues/$pr/comments" "$body" >/dev/null
		log "posted the plan comment on pull request #$pr"
	fi
	rm -f "$body"
}

# A footer naming the run the plan was made in, when running on GitHub Actions.
footer() {
	if [[ -n "${GITHUB_RUN_ID:-}" && -n "${GITHUB_REPOSITORY:-}" ]]; then
		printf '\n_Plan made by [run %s](%s/%s/actions/runs/%s) and saved as its `monban-plan` artifact; merging applies exactly this plan (refused if AWS changed meanwhile)._\n' \
			"$GITHUB_RUN_ID" "${GITHUB_SERVER_URL:-https://github.com}" "$GITHUB_REPOSITORY" "$GITHUB_RUN_ID"
	fi
}

pr() {
	mkdir -p "$OUT"
	local status=0
	if ! run_monban validate 2>"$OUT/validate.log"; then
		cat "$OUT/validate.log" >&2
		{
			printf '%s\n### monban plan: the repo does not validate\n\nNothing was planned. `monban validate` says:\n\n````text\n' "$MARKER"
			cat "$OUT/validate.log"
			printf '````\n'
			footer
		} >"$OUT/plan.md"
		comment "$OUT/plan.md"
		return 1
	fi
	cat "$OUT/validate.log" >&2
	local base="${MONBAN_CI_BASE:-origin/${GITHUB_BASE_REF:-main}}"
	local arguments=(plan --format markdown --out "$OUT/plan.json" --changed-since "$base")
	if [[ -n "${MONBAN_CI_EXPIRING_WITHIN-14d}" ]]; then
		arguments+=(--expiring-within "${MONBAN_CI_EXPIRING_WITHIN-14d}")
	fi
	run_monban "${arguments[@]}" "${TARGET_ARGS[@]}" >"$OUT/plan.md.body" || status=$?
	if [[ ! -s "$OUT/plan.md.body" ]]; then
		# No plan at all (no credentials, AWS unreachable): nothing to post.
		error "monban plan failed (exit $status) before producing a plan; see the log above"
		return 1
	fi
	{
		cat "$OUT/plan.md.body"
		footer
	} >"$OUT/plan.md"
	rm -f "$OUT/plan.md.body"
	comment "$OUT/plan.md"
	if [[ "$status" -ne 0 ]]; then
		error "the plan cannot be applied as it stands (exit $status); the PR comment lists why"
		return 1
	fi
}

merge() {
	local plan="${MONBAN_CI_PLAN_FILE:-$OUT/plan.json}"
	if [[ ! -f "$plan" ]]; then
		error "no reviewed plan at $plan: the pull request's plan job must run (and upload its artifact) before merging"
		return 1
	fi
	local status=0
	run_monban apply "$plan" "${TARGET_ARGS[@]}" || status=$?
	if [[ "$status" -ne 0 ]]; then
		error "the reviewed plan was not applied (exit $status). If monban says it is stale, AWS changed since the pull request was planned: nothing was changed; re-run the pull request's plan job (or open a new pull request), review the new plan, and apply that one."
		return 1
	fi
	# Read everything once more: it checks that AWS now matches the repo, and leaves an
	# up-to-date snapshot for the next pull request's targeted plan (the one apply read
	# was taken before it changed anything).
	status=0
	run_monban plan --refresh full --detailed-exitcode "${TARGET_ARGS[@]}" >"$OUT/after-apply.txt" || status=$?
	case "$status" in
	0) log "applied; the live state now matches the repo" ;;
	2) warning "applied, but the live state still differs from the repo ($OUT/after-apply.txt): was something merged without being applied?" ;;
	*) warning "applied, but the check after it failed (exit $status)" ;;
	esac
}

expire() {
	run_monban apply --only-expired --auto-approve "${TARGET_ARGS[@]}"
}

audit() {
	run_monban audit --fail-on "${MONBAN_CI_AUDIT_FAIL_ON:-high}" "${TARGET_ARGS[@]}"
}

drift() {
	local status=0
	run_monban plan --detailed-exitcode --refresh full "${TARGET_ARGS[@]}" || status=$?
	case "$status" in
	0) log "no drift: the live state matches the repo" ;;
	2) error "drift: the live state differs from the repo (the plan above); fix the repo or apply it through a pull request" ;;
	*) error "the drift check failed (exit $status)" ;;
	esac
	return "$status"
}

# The worst of several exit codes: an error (1, or anything else non-zero) beats findings (2).
worst() {
	local result=0 code
	for code in "$@"; do
		if [[ "$code" -ne 0 && "$code" -ne 2 ]]; then
			result=1
		elif [[ "$code" -eq 2 && "$result" -eq 0 ]]; then result=2; fi
	done
	return "$result"
}

schedule() {
	local expired=0 audited=0 drifted=0
	expire || expired=$?
	audit || audited=$?
	drift || drifted=$?
	log "schedule: expire exit $expired, audit exit $audited, drift exit $drifted"
	worst "$expired" "$audited" "$drifted"
}

# The merged PR's plan: the `monban-plan` artifact of the last successful run of the plan
# workflow for the PR's head commit (GitHub keeps artifacts of other runs downloadable
# through the API with the workflow's token and `actions: read`).
fetch_plan() {
	: "${GITHUB_REPOSITORY:?}" "${GITHUB_SHA:?}"
	local workflow="${MONBAN_CI_PLAN_WORKFLOW:-monban-pr.yml}" head run artifact
	head="$(github_api GET "/repos/$GITHUB_REPOSITORY/commits/$GITHUB_SHA/pulls" | jq -r '.[0].head.sha // empty')"
	if [[ -z "$head" ]]; then
		error "$GITHUB_SHA belongs to no pull request: changes reach main through reviewed pull requests only"
		return 1
	fi
	run="$(github_api GET "/repos/$GITHUB_REPOSITORY/actions/workflows/$workflow/runs?head_sha=$head&status=success&per_page=1" | jq -r '.workflow_runs[0].id // empty')"
	if [[ -z "$run" ]]; then
		error "no successful $workflow run for the pull request's last commit $head: nothing reviewed to apply"
		return 1
	fi
	artifact="$(github_api GET "/repos/$GITHUB_REPOSITORY/actions/runs/$run/artifacts" | jq -r '[.artifacts[] | select(.name == "monban-plan")][0].archive_download_url // empty')"
	if [[ -z "$artifact" ]]; then
		error "run $run has no monban-plan artifact (expired?): re-run the pull request's plan job"
		return 1
	fi
	mkdir -p "$OUT"
	github_api GET "${artifact#"${GITHUB_API_URL:-https://api.github.com}"}" >"$OUT/plan.zip"
	unzip -o -q "$OUT/plan.zip" -d "$OUT"
	log "fetched the plan of run $run (pull request head $head) into $OUT/plan.json"
}

main() {
	local command="${1:-}"
	shift || true
	case "$command" in
	pr) pr ;;
	merge) merge ;;
	schedule) schedule ;;
	expire) expire ;;
	audit) audit ;;
	drift) drift ;;
	comment) comment "${1:?usage: monban-ci.sh comment FILE}" ;;
	fetch-plan) fetch_plan ;;
	*)
		sed -n '2,14p' "$0" >&2
		return 1
		;;
	esac
}

main "$@"
