//! The seeded data a fake server starts with, and the changes clients make to it.

use crate::config::Config;
use crate::entities::{Asset, Assignee, AssigneeKind, Location, Priority, User, WorkOrder, WorkOrderStatus};

/// First id of each collection: distinct ranges make a mixed-up id fail loudly.
const FIRST_LOCATION_ID: u64 = 100;
const FIRST_USER_ID: u64 = 1_000;
const FIRST_ASSET_ID: u64 = 5_000;
const FIRST_WORK_ORDER_ID: u64 = 1;

/// 2026-01-01T00:00:00Z: seeded timestamps count from here, so they never depend on the clock.
const EPOCH_SECONDS: i64 = 1_767_225_600;

const FIRST_NAMES: [&str; 12] =
    ["Ada", "Bruno", "Chloé", "Dmitri", "Esi", "Farah", "Goran", "Hana", "Ivo", "Jun", "Kofi", "Lena"];
const LAST_NAMES: [&str; 10] =
    ["Okafor", "Lindqvist", "Moreau", "Tanaka", "Novak", "Haddad", "Silva", "Kowalski", "Nguyen", "Brennan"];
const ROLES: [&str; 4] = ["ADMIN", "TECHNICIAN", "REQUESTER", "VIEW_ONLY"];
const SITES: [&str; 6] = ["Plant", "Warehouse", "Depot", "Hangar", "Clinic", "Campus"];
const CITIES: [&str; 6] = ["Montréal", "Lyon", "Porto", "Gdańsk", "Osaka", "Austin"];
const EQUIPMENT: [&str; 8] =
    ["Pump", "Compressor", "Conveyor", "Boiler", "Chiller", "Forklift", "Generator", "Air Handler"];
const MANUFACTURERS: [&str; 6] = ["Grundfos", "Atlas Copco", "Siemens", "Carrier", "Toyota", "Caterpillar"];
const TASKS: [&str; 10] = [
    "Replace filter on",
    "Inspect belts of",
    "Fix leak at",
    "Lubricate bearings of",
    "Calibrate sensors on",
    "Investigate noise from",
    "Replace seal on",
    "Quarterly service of",
    "Check pressure of",
    "Repair wiring of",
];
const CATEGORIES: [&str; 5] = ["Corrective", "Preventive", "Inspection", "Safety", "Project"];

/// Every record a fake server holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dataset {
    /// Users, by ascending id.
    pub users: Vec<User>,
    /// Assets, by ascending id.
    pub assets: Vec<Asset>,
    /// Locations, by ascending id.
    pub locations: Vec<Location>,
    /// Work orders, by ascending id (created ones are appended with the next id).
    pub work_orders: Vec<WorkOrder>,
}

impl Dataset {
    /// Generates the dataset `config` describes; the same config always gives the same data.
    pub fn generate(config: &Config) -> Self {
        let mut rng = SplitMix64(config.seed);
        let locations = (0..config.locations).map(|i| location(i, &mut rng)).collect::<Vec<_>>();
        let users = (0..config.users).map(|i| user(i, &mut rng)).collect::<Vec<_>>();
        let assets = (0..config.assets).map(|i| asset(i, &locations, &mut rng)).collect::<Vec<_>>();
        let work_orders =
            (0..config.work_orders).map(|i| work_order(i, config.work_orders, &users, &assets, &mut rng)).collect();
        Self { users, assets, locations, work_orders }
    }

    /// The work order with this id.
    pub fn work_order(&self, id: u64) -> Option<&WorkOrder> {
        find(&self.work_orders, id, |w| w.id)
    }

    /// The work order with this id, to change it.
    pub fn work_order_mut(&mut self, id: u64) -> Option<&mut WorkOrder> {
        let index = self.work_orders.binary_search_by_key(&id, |w| w.id).ok()?;
        self.work_orders.get_mut(index)
    }

    /// The id the next created work order gets.
    pub fn next_work_order_id(&self) -> u64 {
        self.work_orders.last().map_or(FIRST_WORK_ORDER_ID, |w| w.id + 1)
    }

    /// Whether an asset with this id exists.
    pub fn has_asset(&self, id: u64) -> bool {
        find(&self.assets, id, |a| a.id).is_some()
    }

    /// Whether a location with this id exists.
    pub fn has_location(&self, id: u64) -> bool {
        find(&self.locations, id, |l| l.id).is_some()
    }

    /// Whether a user with this id exists.
    pub fn has_user(&self, id: u64) -> bool {
        find(&self.users, id, |u| u.id).is_some()
    }
}

/// Binary search in a collection kept sorted by id.
pub(crate) fn find<T>(items: &[T], id: u64, key: impl Fn(&T) -> u64) -> Option<&T> {
    items.binary_search_by_key(&id, key).ok().and_then(|index| items.get(index))
}

/// An RFC 3339 time `seconds` after the dataset's epoch.
pub(crate) fn timestamp(seconds: i64) -> String {
    jiff::Timestamp::from_second(EPOCH_SECONDS + seconds).map(|t| t.to_string()).unwrap_or_default()
}

fn location(index: usize, rng: &mut SplitMix64) -> Location {
    let site = SITES[index % SITES.len()];
    let city = rng.pick(&CITIES);
    // The first few are sites; the rest are areas inside them.
    let parent_id = (index >= SITES.len()).then(|| FIRST_LOCATION_ID + (index % SITES.len()) as u64);
    let name = match parent_id {
        None => format!("{site} {city}"),
        Some(_) => format!("{site} area {}", index / SITES.len()),
    };
    Location {
        id: FIRST_LOCATION_ID + index as u64,
        name,
        address: format!("{} Industrial Way, {city}", 10 + rng.below(890)),
        parent_id,
        created_at: timestamp(index as i64 * 3_600),
    }
}

fn user(index: usize, rng: &mut SplitMix64) -> User {
    let first = FIRST_NAMES[index % FIRST_NAMES.len()];
    let last = rng.pick(&LAST_NAMES);
    let id = FIRST_USER_ID + index as u64;
    User {
        id,
        first_name: first.to_owned(),
        last_name: last.to_owned(),
        email: format!("user{id}@example.com"),
        role: if index == 0 { "ADMIN" } else { rng.pick(&ROLES) }.to_owned(),
        created_at: timestamp(index as i64 * 7_200),
    }
}

fn asset(index: usize, locations: &[Location], rng: &mut SplitMix64) -> Asset {
    let kind = EQUIPMENT[index % EQUIPMENT.len()];
    let manufacturer = rng.pick(&MANUFACTURERS);
    let location_id = (!locations.is_empty()).then(|| locations[rng.below(locations.len() as u64) as usize].id);
    Asset {
        id: FIRST_ASSET_ID + index as u64,
        name: format!("{kind} #{}", index / EQUIPMENT.len() + 1),
        serial_number: format!("SN-{:08X}", rng.next() as u32),
        model: format!("{}-{}", &kind[..2].to_uppercase(), 100 + rng.below(900)),
        manufacturer: manufacturer.to_owned(),
        location_id,
        status: if rng.below(10) == 0 { "OFFLINE" } else { "ONLINE" }.to_owned(),
        created_at: timestamp(index as i64 * 5_400),
    }
}

fn work_order(index: usize, total: usize, users: &[User], assets: &[Asset], rng: &mut SplitMix64) -> WorkOrder {
    // Older work orders are mostly done, recent ones mostly open, as in a real backlog.
    let age = (total - index) as u64;
    let status = match rng.below(100) + age * 40 / total.max(1) as u64 {
        0..=34 => WorkOrderStatus::Open,
        35..=49 => WorkOrderStatus::InProgress,
        50..=57 => WorkOrderStatus::OnHold,
        58..=84 => WorkOrderStatus::Completed,
        _ => WorkOrderStatus::Closed,
    };
    let asset = (!assets.is_empty()).then(|| &assets[rng.below(assets.len() as u64) as usize]);
    let assignees = (0..rng.below(3))
        .filter(|_| !users.is_empty())
        .map(|_| Assignee { kind: AssigneeKind::User, id: users[rng.below(users.len() as u64) as usize].id })
        .collect();
    let created = 86_400 * 30 + index as i64 * 1_800;
    let updated = created + rng.below(172_800) as i64;
    let completed_at =
        matches!(status, WorkOrderStatus::Completed | WorkOrderStatus::Closed).then(|| timestamp(updated));
    let title = match asset {
        Some(asset) => format!("{} {}", rng.pick(&TASKS), asset.name),
        None => format!("{} site equipment", rng.pick(&TASKS)),
    };
    WorkOrder {
        id: FIRST_WORK_ORDER_ID + index as u64,
        title,
        description: (rng.below(3) != 0).then(|| format!("Reported by the morning round, case {}.", 4_000 + index)),
        status,
        priority: rng.pick(&Priority::ALL),
        assignees,
        asset_id: asset.map(|a| a.id),
        location_id: asset.and_then(|a| a.location_id),
        categories: vec![rng.pick(&CATEGORIES).to_owned()],
        created_at: timestamp(created),
        updated_at: timestamp(updated),
        due_date: Some(timestamp(created + 86_400 * (1 + rng.below(14) as i64))),
        completed_at,
    }
}

/// A small, fast, seedable generator (SplitMix64): the dataset must not change with a crate update.
struct SplitMix64(u64);

impl SplitMix64 {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..bound` (`bound` > 0).
    fn below(&mut self, bound: u64) -> u64 {
        self.next() % bound.max(1)
    }

    fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len() as u64) as usize]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_config_gives_the_same_data_and_another_seed_other_data() {
        let config = Config::default();
        let first = Dataset::generate(&config);
        assert_eq!(first, Dataset::generate(&config));
        assert_ne!(first, Dataset::generate(&config.clone().seed(8)));
    }

    #[test]
    fn sizes_follow_the_config_and_ids_ascend() {
        let data = Dataset::generate(&Config::default().work_orders(17));
        assert_eq!(data.work_orders.len(), 17);
        assert_eq!(data.users.len(), 25);
        assert_eq!(data.assets.len(), 60);
        assert_eq!(data.locations.len(), 12);
        assert!(data.work_orders.windows(2).all(|w| w[0].id < w[1].id));
        assert_eq!(data.next_work_order_id(), 18);
    }

    #[test]
    fn references_point_at_existing_records() {
        let data = Dataset::generate(&Config::default());
        for order in &data.work_orders {
            assert!(order.asset_id.is_none_or(|id| data.has_asset(id)), "{order:?}");
            assert!(order.location_id.is_none_or(|id| data.has_location(id)), "{order:?}");
            assert!(order.assignees.iter().all(|a| data.has_user(a.id)), "{order:?}");
        }
    }

    #[test]
    fn every_status_occurs_in_the_default_dataset() {
        let data = Dataset::generate(&Config::default());
        for status in WorkOrderStatus::ALL {
            assert!(data.work_orders.iter().any(|w| w.status == status), "no {status:?}");
        }
    }

    #[test]
    fn an_empty_dataset_is_fine() {
        let config = Config { users: 0, assets: 0, locations: 0, ..Config::default().work_orders(3) };
        let data = Dataset::generate(&config);
        assert_eq!(data.work_orders.len(), 3);
        assert!(data.work_orders.iter().all(|w| w.assignees.is_empty() && w.asset_id.is_none()));
    }
}
