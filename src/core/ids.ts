/**
 * @module core/ids
 * Identifiers: 32-hex run ids (a uuid4 without dashes, as MLflow makes them) and the random
 * "adjective-animal-NNN" run names MLflow gives runs created without one.
 */
import { randomInt, randomUUID } from "node:crypto";

export function newRunId(): string {
  return randomUUID().replaceAll("-", "");
}

const ADJECTIVES = [
  "able",
  "bold",
  "brave",
  "bright",
  "calm",
  "clever",
  "crisp",
  "dapper",
  "eager",
  "fair",
  "gentle",
  "glad",
  "grand",
  "honest",
  "humble",
  "keen",
  "kind",
  "lively",
  "lucky",
  "merry",
  "mighty",
  "neat",
  "nimble",
  "patient",
  "polite",
  "proud",
  "quick",
  "quiet",
  "rare",
  "shy",
  "smart",
  "steady",
  "sunny",
  "swift",
  "tidy",
  "vast",
  "warm",
  "wise",
  "witty",
  "zesty",
];

const ANIMALS = [
  "ant",
  "bat",
  "bear",
  "bee",
  "carp",
  "cat",
  "colt",
  "crab",
  "crow",
  "deer",
  "dove",
  "duck",
  "eel",
  "elk",
  "finch",
  "fox",
  "frog",
  "goat",
  "gull",
  "hare",
  "hawk",
  "hen",
  "horse",
  "jay",
  "koi",
  "lamb",
  "lark",
  "lynx",
  "mole",
  "moth",
  "newt",
  "owl",
  "ox",
  "panda",
  "ram",
  "seal",
  "shrew",
  "slug",
  "snail",
  "swan",
  "toad",
  "trout",
  "wasp",
  "whale",
  "wolf",
  "wren",
  "yak",
];

export function randomRunName(): string {
  const adjective = ADJECTIVES[randomInt(ADJECTIVES.length)] ?? "quiet";
  const animal = ANIMALS[randomInt(ANIMALS.length)] ?? "owl";
  return `${adjective}-${animal}-${randomInt(1000)}`;
}
