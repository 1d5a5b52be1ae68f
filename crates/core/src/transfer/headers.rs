//! Recognising the columns of CSV files exported by other CRMs (Salesforce, HubSpot,
//! Pipedrive) and by this app: each known header, reduced to letters and digits, names a field.

use crm_protocol::transfer::ImportKind;

/// How a cell's text becomes a field value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum FieldType {
    Text,
    /// A number, written with thousands separators or a currency sign if need be.
    Number,
    Bool,
    /// A day: ISO, `MM/DD/YYYY` or `DD.MM.YYYY`.
    Date,
    /// A closed set: `"Decision Maker"` → `DECISION_MAKER`.
    Enum,
    /// A list: `"a; b"` or `"a, b"`.
    List,
}

/// Field names that are not fields of the record but name another record to link to.
pub(crate) const CUSTOMER_NAME: &str = "@customerName";
pub(crate) const STAGE_NAME: &str = "@stageName";

/// (field, type, header spellings). Headers are compared reduced to lower-case letters and digits.
type Known = (&'static str, FieldType, &'static [&'static str]);

const CUSTOMERS: &[Known] = &[
    ("id", FieldType::Text, &["id", "recordid"]),
    (
        "name",
        FieldType::Text,
        &[
            "name",
            "accountname",
            "companyname",
            "company",
            "organizationname",
            "organization",
            "name1",
        ],
    ),
    (
        "industry",
        FieldType::Text,
        &["industry", "organizationindustry"],
    ),
    (
        "website",
        FieldType::Text,
        &[
            "website",
            "companydomainname",
            "domain",
            "web",
            "url",
            "organizationwebsite",
        ],
    ),
    (
        "primaryEmail",
        FieldType::Text,
        &["email", "primaryemail", "companyemail"],
    ),
    (
        "primaryPhone",
        FieldType::Text,
        &[
            "phone",
            "primaryphone",
            "phonenumber",
            "companyphone",
            "organizationphone",
        ],
    ),
    ("status", FieldType::Enum, &["status"]),
    (
        "category",
        FieldType::Enum,
        &["category", "type", "accounttype", "lifecyclestage"],
    ),
    ("companySize", FieldType::Enum, &["companysize", "size"]),
    (
        "annualRevenue",
        FieldType::Number,
        &["annualrevenue", "revenue"],
    ),
    (
        "currencyCode",
        FieldType::Text,
        &["currency", "currencycode", "accountcurrency"],
    ),
    ("notes", FieldType::Text, &["notes", "description", "note"]),
    ("timezone", FieldType::Text, &["timezone", "timezone1"]),
    ("tags", FieldType::List, &["tags", "labels", "label"]),
    (
        "billingAddress.street",
        FieldType::Text,
        &[
            "billingstreet",
            "street",
            "streetaddress",
            "address",
            "organizationaddress",
        ],
    ),
    (
        "billingAddress.city",
        FieldType::Text,
        &["billingcity", "city"],
    ),
    (
        "billingAddress.state",
        FieldType::Text,
        &[
            "billingstate",
            "billingstateprovince",
            "state",
            "stateregion",
            "region",
        ],
    ),
    (
        "billingAddress.zip",
        FieldType::Text,
        &[
            "billingpostalcode",
            "billingzip",
            "postalcode",
            "zip",
            "zipcode",
        ],
    ),
    (
        "billingAddress.country",
        FieldType::Text,
        &["billingcountry", "country", "countryregion"],
    ),
];

const CONTACTS: &[Known] = &[
    ("id", FieldType::Text, &["id", "recordid"]),
    (
        "name",
        FieldType::Text,
        &["name", "fullname", "contactname", "personname"],
    ),
    ("firstName", FieldType::Text, &["firstname", "givenname"]),
    (
        "lastName",
        FieldType::Text,
        &["lastname", "surname", "familyname"],
    ),
    (
        "email",
        FieldType::Text,
        &[
            "email",
            "emailaddress",
            "email1",
            "personemail",
            "workemail",
        ],
    ),
    (
        "phone",
        FieldType::Text,
        &["phone", "phonenumber", "personphone", "businessphone"],
    ),
    (
        "mobilePhone",
        FieldType::Text,
        &["mobile", "mobilephone", "mobilephonenumber", "cell"],
    ),
    ("workPhone", FieldType::Text, &["workphone", "officephone"]),
    (
        "jobTitle",
        FieldType::Text,
        &["title", "jobtitle", "position"],
    ),
    ("department", FieldType::Text, &["department"]),
    ("role", FieldType::Enum, &["role", "contactrole"]),
    (
        "linkedinUrl",
        FieldType::Text,
        &["linkedin", "linkedinurl", "linkedinprofile"],
    ),
    (
        "twitterHandle",
        FieldType::Text,
        &["twitter", "twitterhandle", "twitterusername"],
    ),
    (
        "birthday",
        FieldType::Date,
        &["birthday", "birthdate", "dateofbirth"],
    ),
    ("doNotCall", FieldType::Bool, &["donotcall"]),
    (
        "emailOptIn",
        FieldType::Bool,
        &["emailoptin", "marketingemailoptin"],
    ),
    ("notes", FieldType::Text, &["notes", "description"]),
    ("tags", FieldType::List, &["tags", "labels", "label"]),
    (
        CUSTOMER_NAME,
        FieldType::Text,
        &[
            "accountname",
            "company",
            "companyname",
            "organization",
            "organizationname",
            "customer",
            "associatedcompany",
        ],
    ),
];

const LEADS: &[Known] = &[
    ("id", FieldType::Text, &["id", "recordid"]),
    ("name", FieldType::Text, &["name", "fullname", "leadname"]),
    ("firstName", FieldType::Text, &["firstname"]),
    ("lastName", FieldType::Text, &["lastname"]),
    ("email", FieldType::Text, &["email", "emailaddress"]),
    (
        "phone",
        FieldType::Text,
        &["phone", "phonenumber", "mobile"],
    ),
    (
        "company",
        FieldType::Text,
        &["company", "companyname", "organization", "accountname"],
    ),
    ("jobTitle", FieldType::Text, &["title", "jobtitle"]),
    (
        "source",
        FieldType::Text,
        &["source", "leadsource", "originalsource", "sourcechannel"],
    ),
    ("status", FieldType::Enum, &["status", "leadstatus"]),
    ("campaign", FieldType::Text, &["campaign", "campaignname"]),
    ("medium", FieldType::Enum, &["medium"]),
    ("budget", FieldType::Number, &["budget"]),
    ("priority", FieldType::Enum, &["priority"]),
    (
        "scoreOverride",
        FieldType::Number,
        &["score", "leadscore", "hubspotscore", "rating1"],
    ),
    ("companySize", FieldType::Enum, &["companysize"]),
    ("notes", FieldType::Text, &["notes", "description"]),
    ("tags", FieldType::List, &["tags", "labels"]),
];

const DEALS: &[Known] = &[
    ("id", FieldType::Text, &["id", "recordid"]),
    (
        "name",
        FieldType::Text,
        &["name", "dealname", "opportunityname", "title", "dealtitle"],
    ),
    (
        "amount",
        FieldType::Number,
        &["amount", "value", "dealvalue", "amount1"],
    ),
    (
        "currencyCode",
        FieldType::Text,
        &["currency", "currencycode", "dealcurrency"],
    ),
    (
        "probability",
        FieldType::Number,
        &["probability", "probability1", "dealprobability"],
    ),
    (
        "expectedCloseDate",
        FieldType::Date,
        &["closedate", "expectedclosedate", "expectedclose"],
    ),
    ("status", FieldType::Enum, &["status"]),
    ("notes", FieldType::Text, &["notes", "description"]),
    ("tags", FieldType::List, &["tags", "labels"]),
    (
        STAGE_NAME,
        FieldType::Text,
        &["stage", "stagename", "dealstage"],
    ),
    (
        CUSTOMER_NAME,
        FieldType::Text,
        &[
            "accountname",
            "company",
            "companyname",
            "organization",
            "organizationname",
            "customer",
            "associatedcompany",
        ],
    ),
];

fn known(kind: ImportKind) -> &'static [Known] {
    match kind {
        ImportKind::Customers => CUSTOMERS,
        ImportKind::Contacts => CONTACTS,
        ImportKind::Leads => LEADS,
        ImportKind::Deals => DEALS,
    }
}

/// Every field a column of a `kind` file may fill, for the import wizard's column mapping.
pub(crate) fn fields(kind: ImportKind) -> Vec<String> {
    known(kind)
        .iter()
        .map(|(field, _, _)| (*field).to_owned())
        .collect()
}

pub(crate) fn reduce(header: &str) -> String {
    header
        .chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// The field a header names for `kind`, and how to read its cells.
pub(crate) fn recognise(kind: ImportKind, header: &str) -> Option<(&'static str, FieldType)> {
    let reduced = reduce(header);
    known(kind)
        .iter()
        .find(|(field, _, spellings)| {
            spellings.contains(&reduced.as_str()) || reduce(field) == reduced
        })
        .map(|(field, field_type, _)| (*field, *field_type))
}

/// How to read a field named explicitly in a mapping.
pub(crate) fn type_of(kind: ImportKind, field: &str) -> FieldType {
    known(kind)
        .iter()
        .find(|(name, _, _)| *name == field)
        .map_or(FieldType::Text, |(_, field_type, _)| *field_type)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn common_exports_are_recognised() {
        let cases = [
            (ImportKind::Customers, "Account Name", Some("name")),
            (
                ImportKind::Customers,
                "Company Domain Name",
                Some("website"),
            ),
            (ImportKind::Customers, "Organization - Name", Some("name")),
            (
                ImportKind::Customers,
                "Billing City",
                Some("billingAddress.city"),
            ),
            (ImportKind::Contacts, "First Name", Some("firstName")),
            (ImportKind::Contacts, "Email Address", Some("email")),
            (ImportKind::Contacts, "Account Name", Some(CUSTOMER_NAME)),
            (ImportKind::Leads, "Lead Source", Some("source")),
            (ImportKind::Deals, "Opportunity Name", Some("name")),
            (ImportKind::Deals, "Deal Stage", Some(STAGE_NAME)),
            (ImportKind::Deals, "Close Date", Some("expectedCloseDate")),
            (ImportKind::Customers, "Favourite Colour", None),
        ];
        for (kind, header, expected) in cases {
            assert_eq!(
                recognise(kind, header).map(|(field, _)| field),
                expected,
                "{header}"
            );
        }
    }
}
