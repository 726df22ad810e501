//! A principal written as `{ group: NAME }` or `{ user: NAME }` inside a larger mapping.

use monban_model::{GroupName, PrincipalRef, UserName};

use crate::diagnostics::Code;
use crate::load::{Collected, Referent};
use crate::node::Position;
use crate::walk::{Fields, FileContext};

/// Reads the `group` or `user` key of `fields` (exactly one must be present) and records
/// the reference for resolution against `groups.yaml`.
pub(crate) fn principal(
    context: &mut FileContext<'_>,
    fields: &Fields<'_>,
    what: &str,
    collected: &mut Collected,
) -> Option<(PrincipalRef, Position)> {
    match (fields.get("group"), fields.get("user")) {
        (Some(_), Some(user)) => {
            let position = fields.key("user").map_or(user.position, |key| key.position);
            context.report_with_hint(
                Code::ConflictingKeys,
                position,
                format!("{what} names both a `group` and a `user`"),
                Some("write one principal per entry: `- group: …` or `- user: …`".to_owned()),
            );
            None
        }
        (Some(node), None) => {
            let name = context.parse(node, GroupName::parse)?;
            collected.reference(Referent::Group(name.clone()), context, node.position);
            Some((PrincipalRef::Group(name), node.position))
        }
        (None, Some(node)) => {
            let name = context.parse(node, UserName::parse)?;
            collected.reference(Referent::User(name.clone()), context, node.position);
            Some((PrincipalRef::User(name), node.position))
        }
        (None, None) => {
            context.report_with_hint(
                Code::MissingKey,
                fields.position,
                format!("{what} names no principal"),
                Some("add `group: NAME` or `user: NAME`".to_owned()),
            );
            None
        }
    }
}
