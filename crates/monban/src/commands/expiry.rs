//! `monban apply --only-expired`: the scheduled job's apply. It plans as usual, then keeps
//! only the removals of grants whose `until` has passed — access the repo itself already
//! says has ended, so no reviewer is needed — and lists everything else it leaves alone
//! (joiners, drift, edits not yet reviewed), which only a reviewed plan may apply.

use monban_model::Repo;
use monban_plan::Plan;

use crate::printer::Printer;

/// The plan restricted to expired grants, after saying on stderr what is left out.
pub fn restrict_to_expired(
    printer: &Printer,
    plan: &Plan,
    repo: &Repo,
    allow_mass_removal: bool,
) -> Plan {
    let restricted =
        monban_plan::only_expired(plan, repo.settings.safety.max_removals, allow_mass_removal);
    if restricted.ignored.is_empty() {
        printer.log(format!(
            "--only-expired: {} expired grant(s) to remove; the plan has no other change.",
            restricted.plan.changes.len()
        ));
    } else {
        printer.log(format!(
            "--only-expired: {} expired grant(s) to remove; {} other change(s) left alone (apply them through a reviewed plan):",
            restricted.plan.changes.len(),
            restricted.ignored.len()
        ));
        for change in &restricted.ignored {
            printer.log(format!("  ignored: {} ({})", change.address, change.action));
        }
    }
    restricted.plan
}
