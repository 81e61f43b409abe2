import type { Rng } from "./rng.ts";
import type { LiabilityType } from "@liability/domain";

/*
 * Invented names. Lender names are composed from a stem and a type-typical suffix so
 * that the corpus holds thousands of distinct creditors and the model has to read the
 * name from the document rather than remember a list.
 */

const STEMS = [
  "Kestrel",
  "Tamarack",
  "Ambergate",
  "Wyndmoor",
  "Larkspur",
  "Quillfield",
  "Brightwater",
  "Osprey Point",
  "Juniper Hollow",
  "Marlowe",
  "Halcyon",
  "Sable Creek",
  "Thistledown",
  "Vantor",
  "Corvana",
  "Elmstead",
  "Fernbrook",
  "Greywater",
  "Hollisford",
  "Lindell",
  "Nettleton",
  "Orchard Lane",
  "Palisade Ridge",
  "Quarry Hill",
  "Rosemont",
  "Saltmarsh",
  "Upland Plains",
  "Verity",
  "Westbrook Valley",
  "Yarrow",
  "Zephyr",
  "Copper Basin",
  "Silver Birch",
  "Red Alder",
  "Cobalt Harbor",
  "Stonebridge",
  "Lantern Bay",
  "Meadowlark",
  "Foxhollow",
  "Granite Falls",
  "Ridgeview",
  "Clearwater Bend",
  "Driftwood",
  "Evergreen Plains",
  "Fairhaven",
  "Goldleaf",
  "Heronwood",
  "Ironbark",
  "Jasper County",
  "Kingsbury",
  "Lodestar",
  "Millbrook",
  "Newhall",
  "Oakhurst",
  "Prairie Rose",
  "Quinton",
  "Riverbend",
  "Sagebrush",
  "Tallgrass",
  "Union Square",
  "Valley Forge Road",
  "Whitestone",
  "Ashford",
  "Bellweather",
  "Canyon Ridge",
  "Dunmore",
  "Eastlake",
  "Falconer",
  "Glenrock",
  "Highmark Valley",
  "Inglewood Park",
  "Keel Harbor",
  "Lakemont",
  "Mossy Oak",
  "Northwind",
  "Old Mill",
  "Pembrook",
  "Redfern",
  "Seaborne",
  "Three Rivers",
  "Twin Pines",
  "Wildflower",
  "Amberly",
  "Bluestem",
  "Crescent Shoals",
  "Dovetail",
  "Emberly",
  "Firethorn",
  "Gallatin",
  "Harrowgate",
  "Ivywood",
  "Juniper Ridge",
  "Kittredge",
  "Lowell Creek",
  "Marigold",
  "Nightingale",
  "Oxbow",
  "Peregrine",
  "Quailridge",
  "Rookwood",
  "Starling",
  "Tidemark",
  "Umber Hill",
  "Vireo",
  "Willowmere",
  "Windrose",
  "Yellowhorn",
  "Zinnia",
];

const FAMILY_NAMES = [
  "Hartwell",
  "Pemberton",
  "Okafor",
  "Lindqvist",
  "Castellano",
  "Marchetti",
  "Whitaker",
  "Abernathy",
  "Nakamura",
  "Delacroix",
  "Brennan",
  "Vasquez",
  "Thornbury",
  "Halloran",
  "Kowalczyk",
  "Ashworth",
];

const SUFFIX_BY_TYPE: Record<LiabilityType, readonly string[]> = {
  mortgage: [
    "Mortgage",
    "Home Loans",
    "Home Lending",
    "Mortgage Servicing",
    "Savings Bank",
    "Federal Savings",
    "Bank",
    "Bank, N.A.",
    "Credit Union",
    "Loan Servicing, LLC",
    "Mortgage Company",
    "Home Finance",
    "Savings and Loan",
    "Residential Lending",
  ],
  heloc: [
    "Bank",
    "Savings Bank",
    "Credit Union",
    "Community Bank",
    "Home Equity Services",
    "Bank & Trust",
    "National Bank",
    "Federal Credit Union",
    "Trust Company",
  ],
  auto_loan: [
    "Auto Credit",
    "Auto Finance",
    "Motor Acceptance",
    "Vehicle Finance",
    "Credit Union",
    "Bank",
    "Auto Lending",
    "Motor Credit Corp.",
    "Car Finance",
    "Federal Credit Union",
  ],
  credit_card: ["Card Services", "Bank", "Credit Union", "Financial", "National Bank", "Bankcard", "Card Company", "Federal Credit Union"],
  student_loan: [
    "Student Loan Servicing",
    "Education Finance",
    "Student Lending",
    "Education Loan Services",
    "Student Aid Servicing",
    "Education Credit",
    "Campus Lending",
  ],
  personal_loan: [
    "Lending",
    "Finance",
    "Consumer Finance",
    "Personal Loans",
    "Credit Union",
    "Bank",
    "Installment Loans",
    "Financial Services",
    "Loan Company",
  ],
};

export function lenderName(type: LiabilityType, rng: Rng): string {
  const suffix = rng.pick(SUFFIX_BY_TYPE[type]);
  const shape = rng.int(0, 9);
  if (shape === 0) return `First ${rng.pick(STEMS)} ${suffix}`;
  if (shape === 1) return `${rng.pick(FAMILY_NAMES)} & ${rng.pick(FAMILY_NAMES)} ${suffix}`;
  if (shape === 2 && !suffix.includes("Credit Union")) {
    return `${rng.pick(STEMS)} Federal Credit Union`;
  }
  if (shape === 3) {
    const a = "ABCDEFGHJKLMNPRSTVW";
    return `${rng.pick([...a])}${rng.pick([...a])}${rng.pick([...a])} ${suffix}`;
  }
  return `${rng.pick(STEMS)} ${suffix}`;
}

/** A short brand form some documents use in running text ("Northgate" for "Northgate Savings Bank"). */
export function lenderShortForm(name: string): string {
  return name.replace(/,? (N\.A\.|LLC|Inc\.|Corp\.)$/, "");
}

export const CARD_PRODUCTS = [
  "VISA Platinum",
  "Rewards Mastercard",
  "Cash Back Visa Signature",
  "Travel Rewards Card",
  "Secured Card",
  "Platinum Select",
  "Everyday Card",
  "World Elite Mastercard",
  "Classic Visa",
];

export function dealerName(rng: Rng): string {
  return `${rng.pick(STEMS)} ${rng.pick(["Motors", "Auto Mall", "Chevrolet", "Toyota", "Ford", "Hyundai", "Nissan", "Auto Sales", "Automotive Group"])}`;
}

export function schoolName(rng: Rng): string {
  const s = rng.pick(STEMS);
  return rng.pick([`${s} University`, `${s} College`, `University of ${s}`, `${s} Technical Institute`, `${s} State University`]);
}

export function insurerName(rng: Rng): string {
  return `${rng.pick(STEMS)} ${rng.pick(["Mutual Insurance", "Casualty Co.", "Home Insurance", "Property & Casualty", "Insurance Group"])}`;
}

export function countyName(rng: Rng): string {
  return `${rng.pick(STEMS)} County ${rng.pick(["Treasurer", "Tax Collector", "Assessor"])}`;
}

const FIRST = [
  "Dana",
  "Marcus",
  "Priya",
  "Luis",
  "Jenna",
  "Tyrone",
  "Mei",
  "Owen",
  "Fatima",
  "Grant",
  "Rosa",
  "Kevin",
  "Aisha",
  "Brian",
  "Carmen",
  "Derek",
  "Elena",
  "Frank",
  "Gloria",
  "Hector",
  "Irene",
  "Jamal",
  "Kara",
  "Leo",
  "Monique",
  "Nate",
  "Olivia",
  "Pete",
  "Renee",
  "Sam",
  "Tanya",
  "Victor",
  "Wendy",
  "Xavier",
  "Yolanda",
  "Zach",
];
const LAST = [
  "Alvarez",
  "Bennett",
  "Chen",
  "Dawson",
  "Ellis",
  "Foster",
  "Garcia",
  "Hughes",
  "Ibrahim",
  "Jensen",
  "Khan",
  "Lopez",
  "Morrison",
  "Nguyen",
  "O'Neill",
  "Patel",
  "Quinn",
  "Reyes",
  "Sullivan",
  "Turner",
  "Underwood",
  "Vance",
  "Washington",
  "Young",
  "Zimmerman",
];

export function firstName(rng: Rng): string {
  return rng.pick(FIRST);
}

export function personName(rng: Rng): string {
  return `${rng.pick(FIRST)} ${rng.pick(LAST)}`;
}

const STREETS = [
  "Alder Way",
  "Birch Ln",
  "Cedar St",
  "Dogwood Ct",
  "Elm Ave",
  "Fir Rd",
  "Garnet Dr",
  "Hawthorn Pl",
  "Maple Ave",
  "Oak Ridge Rd",
  "Pine St",
  "Willow Bend",
];
const CITIES = [
  ["Springfield", "IL"],
  ["Riverton", "WY"],
  ["Fairview", "OR"],
  ["Georgetown", "TX"],
  ["Clinton", "IA"],
  ["Madison", "WI"],
  ["Salem", "MA"],
  ["Franklin", "TN"],
  ["Greenville", "SC"],
  ["Ashland", "KY"],
  ["Dover", "DE"],
  ["Arlington", "VA"],
  ["Aurora", "CO"],
  ["Milford", "CT"],
  ["Kingston", "NY"],
] as const;

export interface Address {
  line1: string;
  city: string;
  state: string;
  zip: string;
}

export function address(rng: Rng): Address {
  const [city, state] = rng.pick(CITIES);
  return {
    line1: `${rng.int(2, 9899)} ${rng.pick(STREETS)}`,
    city,
    state,
    zip: rng.digits(5).replace(/^0/, "4"),
  };
}
