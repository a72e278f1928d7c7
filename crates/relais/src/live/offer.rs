//! What the conversation's outcome says of live help: who can answer now,
//! her place and the honest wait, or that nobody is there (docs/live.md,
//! "The offer"). Read from memory only: the directory's index (the live
//! flag and hours) and the availability the instance reads every few
//! seconds.

use std::sync::Arc;

use crate::conversation::{Closed, LiveHelp, LiveOffer, Outlook};
use crate::directory::Directory;
use crate::directory::live_hours::LiveOrganisation;
use crate::directory::model::Needs;
use crate::directory::orientation::Index;
use crate::live::{Live, Snapshot};
use crate::storage::OrganisationId;

/// The outlook of live help, for the conversation.
#[derive(Debug)]
pub struct Offers {
    /// This instance's part of live help.
    pub live: Arc<Live>,
    /// The directory.
    pub directory: Arc<Directory>,
}

impl LiveHelp for Offers {
    fn outlook(&self, territory: &str, needs: Option<Needs>) -> Outlook {
        let index = self.directory.index();
        let at = jiff::Timestamp::now();
        let organisations = index.live_organisations(territory, at);
        let snapshot = self.live.snapshot();
        outlook(&organisations, needs, &snapshot, |id| {
            self.live.queue_length(id)
        })
    }
}

/// The live organisation of that id, if it offers live help.
pub fn live_organisation(
    index: &Index,
    organisation: &OrganisationId,
    at: jiff::Timestamp,
) -> Option<LiveOrganisation> {
    index
        .territories()
        .flat_map(|t| index.live_organisations(t.slug.as_str(), at))
        .find(|o| o.id == *organisation)
}

/// Whether someone of an organisation can answer now.
pub fn available(organisation: &LiveOrganisation, snapshot: &Snapshot) -> bool {
    organisation.open && snapshot.counted.get(&organisation.id).copied().unwrap_or(0) > 0
}

/// The wait for the `position`-th person, in minutes rounded up: the
/// people before her times the recent length of a conversation, shared
/// among the professionals counted. `None` without a measure.
pub fn wait_minutes(position: usize, counted: u32, length_secs: Option<i64>) -> Option<i64> {
    let length = length_secs?;
    let before = i64::try_from(position.saturating_sub(1)).unwrap_or(i64::MAX);
    let seconds = before.saturating_mul(length) / i64::from(counted.max(1));
    Some((seconds + 59) / 60)
}

/// The outlook from the organisations offering live help in a territory.
pub fn outlook(
    organisations: &[LiveOrganisation],
    needs: Option<Needs>,
    snapshot: &Snapshot,
    queue_length: impl Fn(&OrganisationId) -> usize,
) -> Outlook {
    let mut result = Outlook::default();
    for organisation in organisations {
        let serves = needs
            .filter(|needs| !needs.is_empty())
            .is_none_or(|needs| needs.iter().any(|need| organisation.needs.contains(need)));
        if !serves {
            continue;
        }
        if available(organisation, snapshot) {
            let position = queue_length(&organisation.id) + 1;
            result.offers.push(LiveOffer {
                organisation: organisation.id.clone(),
                name: organisation.name.clone(),
                position,
                wait_minutes: wait_minutes(
                    position,
                    snapshot.counted.get(&organisation.id).copied().unwrap_or(1),
                    snapshot.lengths.get(&organisation.id).copied(),
                ),
            });
        } else {
            result.closed.push(Closed {
                organisation: organisation.id.clone(),
                name: organisation.name.clone(),
                callback: false,
            });
        }
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::directory::model::Need;

    fn organisation(id: &str, needs: &[Need], open: bool) -> LiveOrganisation {
        let mut set = Needs::EMPTY;
        for need in needs {
            set.insert(*need);
        }
        LiveOrganisation {
            id: OrganisationId::from(id),
            name: format!("Structure {id}"),
            needs: set,
            open,
        }
    }

    fn counted(pairs: &[(&str, u32)]) -> Snapshot {
        Snapshot {
            counted: pairs
                .iter()
                .map(|(id, n)| (OrganisationId::from(*id), *n))
                .collect(),
            lengths: Default::default(),
        }
    }

    #[test]
    fn live_help_is_offered_only_where_someone_is_counted_during_open_hours() {
        let organisations = [
            organisation("a", &[Need::Legal], true),
            organisation("b", &[Need::Legal], false),
            organisation("c", &[Need::Legal], true),
        ];
        let snapshot = counted(&[("a", 1), ("b", 2)]);
        let outlook = outlook(&organisations, None, &snapshot, |_| 0);
        let offered: Vec<&str> = outlook
            .offers
            .iter()
            .map(|o| o.organisation.as_str())
            .collect();
        assert_eq!(offered, ["a"]);
        let closed: Vec<&str> = outlook.closed.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(closed, ["Structure b", "Structure c"]);
    }

    #[test]
    fn an_organisation_that_serves_none_of_her_needs_is_neither_offered_nor_said_closed() {
        let organisations = [organisation("a", &[Need::Housing], true)];
        let mut needs = Needs::EMPTY;
        needs.insert(Need::Legal);
        let outlook = outlook(&organisations, Some(needs), &counted(&[("a", 1)]), |_| 0);
        assert_eq!(outlook, Outlook::default());
    }

    #[test]
    fn the_wait_is_the_people_before_her_times_the_measured_length_shared_among_those_on_duty() {
        assert_eq!(wait_minutes(1, 1, Some(600)), Some(0));
        assert_eq!(wait_minutes(2, 1, Some(300)), Some(5));
        assert_eq!(wait_minutes(3, 2, Some(301)), Some(6));
        assert_eq!(wait_minutes(4, 1, None), None);
    }
}
