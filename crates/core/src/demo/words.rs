//! Embedded word lists of the demo data generator: names, companies, industries, places,
//! products and the texts of notes and communications. Kept out of `demo.rs` so the generator
//! reads as logic; formatted by hand (one list, a few lines) rather than one word per line.

use crm_model::ActivityType;

#[rustfmt::skip]
pub(super) const FIRST_NAMES: &[&str] = &[
    "James", "Mary", "Robert", "Patricia", "John", "Jennifer", "Michael", "Linda", "David",
    "Elizabeth", "William", "Barbara", "Richard", "Susan", "Joseph", "Jessica", "Thomas", "Sarah",
    "Charles", "Karen", "Daniel", "Lisa", "Matthew", "Nancy", "Anthony", "Sandra", "Mark", "Ashley",
    "Steven", "Emily", "Andrew", "Michelle", "Paul", "Amanda", "Joshua", "Melissa", "Kevin",
    "Stephanie", "Brian", "Rebecca", "George", "Laura", "Timothy", "Sharon", "Ronald", "Cynthia",
    "Jason", "Amy", "Ryan", "Anna", "Jacob", "Angela", "Nicholas", "Emma", "Eric", "Olivia",
    "Jonathan", "Sophia", "Lukas", "Mia", "Noah", "Lena", "Felix", "Hannah", "Jonas", "Clara",
    "Mateo", "Lucía", "Hugo", "Chloé", "Louis", "Inès", "Aarav", "Priya", "Wei", "Mei", "Hiroshi",
    "Yuki", "Omar", "Fatima", "Ivan", "Olga", "Lars", "Ingrid", "Sven", "Astrid", "Diego", "Sofia",
    "Marco", "Giulia", "Pedro", "Beatriz", "Kofi", "Amara", "Rahul", "Ananya",
];

#[rustfmt::skip]
pub(super) const LAST_NAMES: &[&str] = &[
    "Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez",
    "Martinez", "Hernandez", "Lopez", "Gonzalez", "Wilson", "Anderson", "Thomas", "Taylor", "Moore",
    "Jackson", "Martin", "Lee", "Perez", "Thompson", "White", "Harris", "Sanchez", "Clark",
    "Ramirez", "Lewis", "Robinson", "Walker", "Young", "Allen", "King", "Wright", "Scott", "Torres",
    "Nguyen", "Hill", "Flores", "Green", "Adams", "Nelson", "Baker", "Hall", "Rivera", "Campbell",
    "Mitchell", "Carter", "Roberts", "Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer",
    "Wagner", "Becker", "Dubois", "Lefèvre", "Moreau", "Laurent", "Rossi", "Russo", "Ferrari",
    "Esposito", "Bianchi", "Tanaka", "Suzuki", "Sato", "Kim", "Park", "Chen", "Wang", "Li", "Zhang",
    "Patel", "Sharma", "Singh", "Gupta", "Kowalski", "Nowak", "Novak", "Horvat", "Jensen", "Hansen",
    "Larsen", "Andersson", "Johansson", "Nielsen", "Silva", "Santos", "Oliveira", "Costa", "Mensah",
    "Okafor", "Ivanov", "Petrov", "O'Brien", "Murphy",
];

#[rustfmt::skip]
pub(super) const BRANDS: &[&str] = &[
    "Acme", "Globex", "Initech", "Umbrella", "Hooli", "Vandelay", "Soylent", "Tyrell", "Cyberdyne",
    "Aperture", "Nakatomi", "Wonka", "Contoso", "Fabrikam", "Northwind", "Tailspin", "Litware",
    "Proseware", "Adatum", "Wingtip", "Massive", "Stark", "Wayne", "Oscorp", "Prestige",
];

#[rustfmt::skip]
pub(super) const NAME_STARTS: &[&str] = &[
    "Blue", "Red", "North", "South", "East", "West", "Silver", "Gold", "Iron", "Stone", "Bright",
    "Green", "Star", "Sun", "Moon", "Sky", "Ocean", "River", "Lake", "Pine", "Oak", "Maple",
    "Cedar", "Eagle", "Fox", "Wolf", "Bear", "Hawk", "Crystal", "Swift", "Summit", "Alpine",
    "Harbor", "Meadow", "Copper", "Granite", "Falcon", "Cobalt", "Amber", "Clear",
];

#[rustfmt::skip]
pub(super) const NAME_ENDS: &[&str] = &[
    "field", "ridge", "gate", "wood", "stone", "bridge", "haven", "point", "view", "works", "line",
    "path", "wave", "peak", "crest", "brook", "vale", "ford", "port", "side", "light", "forge",
    "mark", "spring", "land", "water", "hill", "core", "bay", "star",
];

/// Industries and the words their company names end in.
#[rustfmt::skip]
pub(super) const INDUSTRIES: &[(&str, &[&str])] = &[
    (
    "Technology",
    &["Systems", "Software", "Labs", "Networks", "Digital"],
    ),
    (
    "Manufacturing",
    &["Manufacturing", "Industries", "Components", "Fabrication"],
    ),
    ("Healthcare", &["Health", "Medical", "Care", "Clinics"]),
    ("Finance", &["Capital", "Financial", "Bank", "Investments"]),
    ("Retail", &["Retail", "Stores", "Outfitters", "Market"]),
    (
    "Logistics",
    &["Logistics", "Freight", "Shipping", "Transport"],
    ),
    ("Energy", &["Energy", "Power", "Solar", "Utilities"]),
    ("Food & Beverage", &["Foods", "Brewing", "Farms", "Bakery"]),
    (
    "Construction",
    &["Construction", "Builders", "Engineering", "Contractors"],
    ),
    ("Media", &["Media", "Studios", "Publishing", "Broadcasting"]),
    (
    "Education",
    &["Academy", "Learning", "Education", "Institute"],
    ),
    (
    "Consulting",
    &["Consulting", "Advisors", "Partners", "Group"],
    ),
    (
    "Pharmaceuticals",
    &["Pharma", "Biotech", "Therapeutics", "Biosciences"],
    ),
    (
    "Automotive",
    &["Motors", "Automotive", "Mobility", "Auto Parts"],
    ),
];

#[rustfmt::skip]
pub(super) const LEGAL_FORMS: &[&str] = &[
    "Inc", "LLC", "Ltd", "GmbH", "Corp", "Co", "", "", "AG", "SA",
];

#[rustfmt::skip]
pub(super) const TLDS: &[&str] = &["com", "com", "com", "io", "co", "net", "de", "co.uk"];

#[rustfmt::skip]
pub(super) const CITIES: &[(&str, &str, &str, &str)] = &[
    ("New York", "NY", "10001", "United States"),
    ("San Francisco", "CA", "94105", "United States"),
    ("Chicago", "IL", "60601", "United States"),
    ("Austin", "TX", "73301", "United States"),
    ("Seattle", "WA", "98101", "United States"),
    ("Boston", "MA", "02108", "United States"),
    ("Denver", "CO", "80202", "United States"),
    ("Atlanta", "GA", "30303", "United States"),
    ("Toronto", "ON", "M5H 2N2", "Canada"),
    ("London", "", "EC1A 1BB", "United Kingdom"),
    ("Manchester", "", "M1 1AE", "United Kingdom"),
    ("Berlin", "", "10115", "Germany"),
    ("Munich", "BY", "80331", "Germany"),
    ("Paris", "", "75001", "France"),
    ("Amsterdam", "", "1012 JS", "Netherlands"),
    ("Madrid", "", "28001", "Spain"),
    ("Milan", "", "20121", "Italy"),
    ("Stockholm", "", "111 20", "Sweden"),
    ("Zurich", "ZH", "8001", "Switzerland"),
    ("Sydney", "NSW", "2000", "Australia"),
    ("Singapore", "", "018989", "Singapore"),
    ("Tokyo", "", "100-0001", "Japan"),
];

#[rustfmt::skip]
pub(super) const STREETS: &[&str] = &[
    "Main Street", "Market Street", "Oak Avenue", "Park Lane", "Harbor Road", "Industrial Way",
    "Commerce Drive", "Innovation Boulevard", "High Street", "Station Road", "River Road",
    "Elm Street", "Lakeview Drive", "Technology Parkway", "King Street",
];

#[rustfmt::skip]
pub(super) const TIMEZONES: &[&str] = &[
    "America/New_York", "America/Chicago", "America/Denver", "America/Los_Angeles", "Europe/London",
    "Europe/Berlin", "Europe/Paris", "Asia/Singapore", "Asia/Tokyo", "Australia/Sydney",
];

#[rustfmt::skip]
pub(super) const CUSTOMER_TAGS: &[&str] = &[
    "enterprise", "smb", "vip", "renewal", "expansion", "key-account", "churn-risk", "reference",
    "new-logo", "strategic",
];

#[rustfmt::skip]
pub(super) const CUSTOMER_NOTES: &[&str] = &[
    "Prefers quarterly business reviews on site.",
    "Procurement requires three quotes for anything above 50k.",
    "Fiscal year ends in June; budgets are set in April.",
    "Long-standing customer, very price sensitive.",
    "Evaluating a move to the cloud edition next year.",
];

#[rustfmt::skip]
pub(super) const JOB_TITLES: &[(&str, &str)] = &[
    ("Chief Executive Officer", "Executive"),
    ("Chief Financial Officer", "Finance"),
    ("Chief Technology Officer", "Engineering"),
    ("VP of Sales", "Sales"),
    ("VP of Operations", "Operations"),
    ("Head of Procurement", "Procurement"),
    ("IT Director", "IT"),
    ("Operations Manager", "Operations"),
    ("Purchasing Manager", "Procurement"),
    ("Marketing Manager", "Marketing"),
    ("Finance Manager", "Finance"),
    ("Software Engineer", "Engineering"),
    ("Project Manager", "Operations"),
    ("Office Manager", "Administration"),
    ("Sales Manager", "Sales"),
    ("Head of Customer Success", "Customer Success"),
];

#[rustfmt::skip]
pub(super) const LEAD_SOURCES: &[&str] = &[
    "Website Form", "Trade Show", "Referral", "LinkedIn", "Cold Call", "Webinar", "Partner",
    "Google Ads", "Newsletter", "Content Download",
];

#[rustfmt::skip]
pub(super) const CAMPAIGNS: &[&str] = &[
    "Spring Promo", "Q3 Webinar Series", "Trade Show Berlin", "Summer Sale", "Product Launch",
    "Partner Program", "Year-End Push", "Customer Stories",
];

#[rustfmt::skip]
pub(super) const DISQUALIFIED_REASONS: &[&str] = &[
    "No budget this year", "Not a decision maker", "Student / research request", "Competitor",
    "Company too small",
];

/// Products: (id, name, unit price in cents, most units on one line).
#[rustfmt::skip]
pub(super) const PRODUCTS: &[(&str, &str, i64, u32)] = &[
    ("CRM-PRO", "CRM Suite – Professional seats", 7_900, 200),
    ("CRM-ENT", "CRM Suite – Enterprise seats", 14_900, 500),
    ("ANL-ADD", "Analytics add-on", 250_000, 3),
    ("API-GW", "API gateway license", 480_000, 2),
    ("ONB-STD", "Onboarding package", 350_000, 1),
    ("TRN-DAY", "Training day", 120_000, 10),
    ("SUP-PRM", "Premium support (annual)", 990_000, 1),
    ("INT-ERP", "ERP integration service", 1_200_000, 1),
    ("HW-TAB", "Field tablet", 64_900, 50),
    ("DATA-MIG", "Data migration", 500_000, 1),
    ("CNS-HR", "Consulting hours", 18_000, 80),
    ("STO-1TB", "Extra storage 1 TB", 9_900, 20),
];

#[rustfmt::skip]
pub(super) const DEAL_KINDS: &[&str] = &[
    "new business", "expansion", "renewal", "upgrade", "pilot", "rollout",
];

#[rustfmt::skip]
pub(super) const COMPETITORS: &[&str] = &[
    "Salesforce", "HubSpot", "Pipedrive", "Zoho", "Microsoft Dynamics", "Freshsales",
];

#[rustfmt::skip]
pub(super) const WON_REASONS: &[&str] = &[
    "Best fit for field teams", "Offline support was decisive", "Strong references",
    "Price and onboarding package",
];

#[rustfmt::skip]
pub(super) const ACTIVITY_SUBJECTS: &[(ActivityType, &str)] = &[
    (ActivityType::Call, "Follow-up call"),
    (ActivityType::Call, "Discovery call"),
    (ActivityType::Email, "Send proposal"),
    (ActivityType::Email, "Send pricing sheet"),
    (ActivityType::Meeting, "Product demo"),
    (ActivityType::Meeting, "Quarterly business review"),
    (ActivityType::Task, "Prepare quote"),
    (ActivityType::Task, "Update account plan"),
    (ActivityType::Todo, "Check contract status"),
    (ActivityType::Todo, "Confirm delivery date"),
];

#[rustfmt::skip]
pub(super) const ACTIVITY_DESCRIPTIONS: &[&str] = &[
    "Walk through the open questions from last meeting.", "Include the volume discount discussed.",
    "Bring the implementation timeline.", "Confirm budget and decision process.",
];

#[rustfmt::skip]
pub(super) const ACTIVITY_OUTCOMES: &[&str] = &[
    "Done, next step agreed", "Customer asked for a revised offer", "Postponed by the customer",
    "Positive, moving to proposal", "No decision yet",
];

#[rustfmt::skip]
pub(super) const COMMUNICATION_TEXTS: &[(&str, &str)] = &[
    (
    "Intro call",
    "Introduced our offline field CRM; interested in a demo.",
    ),
    (
    "Pricing question",
    "Asked about volume pricing for 120 seats.",
    ),
    (
    "Demo follow-up",
    "Sent the recording and the slides from the demo.",
    ),
    (
    "Contract review",
    "Legal has comments on the liability clause.",
    ),
    ("Renewal", "Renewal discussed; wants a multi-year option."),
    (
    "Support escalation",
    "Sync issue on two tablets; passed to support.",
    ),
    (
    "Quarterly review",
    "Reviewed adoption numbers; usage up 20%.",
    ),
    (
    "Proposal sent",
    "Proposal sent with onboarding and training.",
    ),
    ("Check-in", "Quick check-in; no open issues."),
    (
    "Meeting request",
    "Asked for a meeting with their CFO next week.",
    ),
];

#[rustfmt::skip]
pub(super) const NOTE_TEXTS: &[(&str, &str)] = &[
    (
    "Org chart",
    "The CFO signs anything above 100k; IT has a veto on integrations.",
    ),
    (
    "Competition",
    "Currently piloting a competitor in one region.",
    ),
    (
    "Preferences",
    "Prefers email over calls; no meetings on Fridays.",
    ),
    (
    "Expansion",
    "Two more subsidiaries could roll out next year.",
    ),
    ("Billing", "Invoices must quote their PO number."),
];
