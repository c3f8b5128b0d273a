/**
 * Who or what a prompt is about: people (one or several), animals, still-life surfaces and scenery.
 * Entries are compact strings parsed once; flags after ':' —
 *   f/m/n/p  gender (p: plural)          s  never combined with sexual concepts
 *   k        a minor (safe pool + non-sexual bullying only)   o  safe pool only
 */
import type { Rng } from './prng';
import type { Gender, Subject, SubjectKind } from './types';
import { article, words } from './text';

interface Head {
  head: string;
  gender: Gender;
  minor: boolean;
  noSexual: boolean;
  poolOnly: boolean;
  det: string;
}

function parseHeads(specs: string[], defaultDet = ''): Head[] {
  return specs.map((spec) => {
    const [body, flags = 'n'] = spec.split(':');
    const [det, head] = body.includes('|') ? body.split('|') : [defaultDet, body];
    const gender = (['f', 'm', 'n', 'p'].find((g) => flags.includes(g)) ?? 'n') as Gender;
    return { head, gender, minor: flags.includes('k'), noSexual: flags.includes('s') || flags.includes('k'), poolOnly: flags.includes('o'), det };
  });
}

/** Single people: everyday adults, jobs, sport, genre and fantasy characters. */
export const PERSON_HEADS = parseHeads([
  'woman:f', 'man:m', 'person:n', 'young woman:f', 'young man:m', 'old woman:f', 'old man:m', 'elderly woman:f',
  'elderly man:m', 'middle-aged woman:f', 'middle-aged man:m', 'lady:f', 'gentleman:m', 'guy:m',
  'nurse:n', 'doctor:n', 'surgeon:n', 'chef:n', 'baker:n', 'soldier:n', 'firefighter:n', 'police officer:n',
  'farmer:n', 'fisherman:m', 'construction worker:n', 'teacher:ns', 'college student:ns', 'professor:n',
  'scientist:n', 'librarian:n', 'office worker:n', 'businessman:m', 'businesswoman:f', 'lawyer:n', 'mechanic:n',
  'electrician:n', 'carpenter:n', 'janitor:n', 'taxi driver:n', 'truck driver:n', 'pilot:n', 'flight attendant:n',
  'sailor:n', 'astronaut:n', 'lifeguard:n', 'waitress:f', 'waiter:m', 'bartender:n', 'barista:n', 'cashier:n',
  'delivery driver:n', 'photographer:n', 'painter:n', 'sculptor:n', 'tattoo artist:n', 'musician:n',
  'guitarist:n', 'drummer:n', 'violinist:n', 'pianist:n', 'rock singer:n', 'opera singer:n', 'dj:n', 'dancer:n',
  'ballerina:fs', 'fashion model:n', 'actress:f', 'actor:m', 'journalist:n', 'news anchor:n', 'tourist:n',
  'backpacker:n', 'hiker:n', 'rock climber:n', 'surfer:n', 'skateboarder:ns', 'cyclist:n', 'runner:n',
  'swimmer:n', 'boxer:n', 'wrestler:n', 'bodybuilder:n', 'yoga instructor:n', 'gymnast:ns', 'tennis player:n',
  'football player:n', 'basketball player:n', 'golfer:n', 'cowboy:m', 'cowgirl:f', 'gardener:n', 'florist:n',
  'beekeeper:n', 'priest:ms', 'nun:fs', 'monk:ms', 'rabbi:ms', 'imam:ms', 'bride:f', 'groom:m',
  'grandmother:fs', 'grandfather:ms', 'mother:fs', 'father:ms', 'homeless man:m', 'street vendor:n',
  'butcher:n', 'gamer:n', 'programmer:n', 'knight:n', 'samurai:n', 'viking warrior:n', 'elf woman:f',
  'elven archer:n', 'wizard:m', 'witch:f', 'sorceress:f', 'vampire:n', 'pirate:n', 'pirate captain:n',
  'cyborg:n', 'android:n', 'space marine:n', 'steampunk inventor:n', 'medieval queen:f', 'king:m', 'queen:f',
  'prince:m', 'princess:fs', 'mermaid:fs', 'angel:ns', 'superhero:n', 'ninja:n', 'gladiator:n', 'geisha:fs',
  'detective:n', 'spy:n', 'mad scientist:n', 'clown:ns', 'magician:n', 'circus acrobat:n', 'lumberjack:m',
  'miner:n', 'welder:n', 'stuntman:m', 'race car driver:n', 'archaeologist:n', 'explorer:n', 'park ranger:n',
  'veterinarian:n', 'dentist:n', 'pharmacist:n', 'security guard:n', 'hotel receptionist:n', 'street musician:n',
  'influencer:n', 'streamer:n', 'cosplayer:ns', 'punk rocker:n', 'goth woman:f', 'hipster:n', 'biker:n',
  'retired soldier:n', 'war veteran:n', 'politician:ns',
  // minors: only in the safe pool and in (non-sexual) bullying
  'teenage girl:fk', 'teenage boy:mk', 'teenager:nk', 'schoolboy:mk', 'schoolgirl:fk', 'little girl:fk',
  'little boy:mk', 'kid:nk', 'toddler:nko', 'baby:nko',
]);

/** Several people; det is written before any added adjective ("two naked men", "a naked couple"). */
export const GROUP_HEADS = parseHeads([
  'two|men:p', 'two|women:p', '|couple:p', '|young couple:p', '|elderly couple:ps', '|group of friends:p',
  'a|crowd of people:p', 'three|soldiers:p', '|group of tourists:p', '-|office workers:p', '-|football fans:p',
  '|gang of bikers:p', '-|protesters:p', '-|partygoers:p', '|band of pirates:p', '|group of coworkers:p',
  '|bride and groom:p', 'two|lovers:p', '|group of hikers:p', '|team of doctors:ps', '-|factory workers:p',
  '-|construction workers:p', 'a|crowd of commuters:p', '-|villagers:p', '|group of college students:ps',
  '|rock band:p', '|family:pso', '|group of teenagers:pk', '-|schoolchildren:pk', '|group of kids:pk',
  '-|teenagers:pk', '|group of soldiers:p', '|group of men:p', '|group of women:p', 'four|friends:p',
  '-|street performers:p', '|wedding party:ps', '|group of nurses:p', '|mob of people:p',
]);

/** Adjectives placed before a person's head noun. Entries ending in :f/:m only go with that gender. */
export const PERSON_DESC = [
  'tall', 'smiling', 'tired', 'happy', 'serious', 'beautiful', 'handsome:m', 'pretty:f', 'red-haired', 'blonde',
  'dark-haired', 'gray-haired', 'curly-haired', 'bald:m', 'bearded:m', 'tattooed', 'freckled', 'muscular', 'slim',
  'plus-size', 'young', 'old', 'elderly', 'middle-aged', 'african', 'african american', 'asian', 'chinese',
  'japanese', 'korean', 'indian', 'arab', 'latina:f', 'latino:m', 'mexican', 'brazilian', 'nigerian', 'ethiopian',
  'irish', 'scottish', 'italian', 'french', 'german', 'russian', 'scandinavian', 'polish', 'turkish', 'persian',
  'vietnamese', 'filipino', 'native american', 'black', 'white', 'hispanic', 'pale', 'sunburned', 'lonely',
  'mysterious', 'cheerful', 'exhausted', 'elegant', 'scruffy', 'thoughtful', 'confident', 'nervous',
];

/** Post-modifiers for a person. */
export const PERSON_POST = [
  'with red hair', 'with long braided hair', 'with glasses', 'with round glasses', 'with a long beard:m',
  'with a mustache:m', 'with freckles', 'with a backpack', 'with headphones', 'with a tattoo sleeve',
  'with a nose ring', 'with a shaved head', 'with a ponytail', 'with a messy bun', 'with blue eyes',
  'with green eyes', 'with a straw hat', 'with a cowboy hat', 'with a baseball cap', 'with a camera around {pos} neck',
  'with a golden crown', 'with a flower crown', 'with a leather satchel', 'with silver earrings',
  'with a pearl necklace', 'with a walking cane', 'with a guitar case', 'with short pink hair',
  'with silver hair', 'with dreadlocks', 'with an afro', 'with a buzz cut', 'with a bandana',
  'with a scarf', 'with a wristwatch', 'with long black hair', 'with a septum piercing',
];

/** Looks and clothes that suit a child or teenager (no tattoos, piercings, suits, gowns). */
export const KID_OK = /glasses|backpack|headphones|ponytail|baseball cap|straw hat|freckles|scarf|braided|red hair|blue eyes|green eyes|hoodie|raincoat|winter coat|sweater|t-shirt|tracksuit|overalls|puffer|beanie|cardigan|poncho/;

const AGE_WORD = /\b(young|old|elderly|middle-aged|teenage|little|kid|baby|toddler|grand|mother|father)\b/;

function genderOk(spec: string, g: Gender): [string, boolean] {
  const [text, only] = spec.split(':');
  return [text, !only || only === g];
}

/** The head nouns that are sensible for each subject kind (for split grouping and listing). */
export const ANIMALS = [
  'dog', 'golden retriever', 'labrador', 'german shepherd', 'husky', 'corgi', 'pug', 'beagle', 'border collie',
  'cat', 'black cat', 'tabby cat', 'ginger cat', 'siamese cat', 'horse', 'white horse', 'pony', 'donkey', 'deer',
  'stag', 'cow', 'pig', 'sheep', 'goat', 'rabbit', 'fox', 'red fox', 'wolf', 'gray wolf', 'bear', 'brown bear',
  'polar bear', 'lion', 'lioness', 'tiger', 'leopard', 'cheetah', 'elephant', 'giraffe', 'zebra', 'hippo',
  'rhino', 'owl', 'barn owl', 'eagle', 'hawk', 'parrot', 'penguin', 'dolphin', 'seal', 'sea otter', 'turtle',
  'frog', 'monkey', 'gorilla', 'orangutan', 'kangaroo', 'koala', 'raccoon', 'squirrel', 'hedgehog', 'chicken',
  'rooster', 'duck', 'swan', 'flamingo', 'peacock', 'panda', 'red panda', 'otter', 'camel', 'llama', 'alpaca',
  'bison', 'moose', 'crow', 'raven', 'pigeon', 'hamster', 'ferret', 'lynx', 'snow leopard', 'crocodile',
  'puppy:o', 'kitten:o', 'baby elephant:o', 'fawn:o', 'ducklings:o', 'butterfly:o', 'hummingbird:o', 'koi fish:o',
];
/** Animals that plausibly appear in a city street (the others get nature and water settings). */
const CITY_ANIMALS = /dog|retriever|labrador|shepherd|husky|corgi|pug|beagle|collie|cat|pigeon|crow|raven|raccoon|squirrel|ferret|hamster|horse|pony|donkey|puppy|kitten/;

const ANIMAL_DESC = ['fluffy', 'old', 'young', 'wild', 'sleepy', 'curious', 'majestic', 'small', 'huge', 'wet', 'muddy', 'white', 'spotted', 'scruffy', 'stray'];

/** Surfaces and containers a still life is arranged on: "a wooden kitchen table with ...". */
export const THINGS = [
  'wooden|kitchen table', '|bathroom sink', 'hotel|bed with white sheets', '|office desk', 'wooden|park bench:@',
  'marble|countertop', 'cardboard|box', 'old|suitcase', '|car dashboard', '|back seat of a car', 'glass|coffee table',
  '|nightstand', 'metal|workbench', '|picnic blanket:@', '|shop counter', 'white|bathtub', 'school|locker:k',
  'leather|backpack', 'dorm room|desk', 'bedroom|floor', 'rustic|dining table', '|kitchen counter', 'old|piano',
  'wooden|crate', '|restaurant table', 'hospital|bed', '|windowsill', 'tiled|bathroom floor', 'plastic|tray',
  'vintage|dresser', '|car trunk:@', 'steel|table', 'garage|floor', 'wooden|pier:@', 'mossy|rock:@',
];

/** Safe still-life contents for a THING: "... with a bowl of fruit". */
export const THING_EXTRAS = [
  'with a bowl of fruit', 'with a cup of coffee and a newspaper', 'with a vase of tulips', 'with a stack of old books',
  'with a laptop and a notebook', 'with a sleeping cat', 'with a bouquet of roses', 'with scattered seashells',
  'with a houseplant', 'with a loaf of fresh bread', 'with a chessboard', 'with colorful yarn balls',
  'with a birthday cake', 'with a teapot and two cups', 'with vintage cameras', 'with lemons and a pitcher of water',
  'with a pair of sneakers', 'with folded towels', 'with a lit candle', 'with a glass of orange juice',
  'with a map and a compass', 'with paint brushes and tubes of paint', 'with a plate of cookies', 'with a toy robot',
  'with a rubber duck', 'with fresh vegetables', 'with a basket of apples', 'with a stack of pancakes',
  'with sunglasses and a sun hat', 'with a sleeping puppy', 'with knitting needles and wool', 'with a jigsaw puzzle',
];

/** Places and things that stand alone: landscapes, cities, buildings, food, vehicles, objects.
 *  :f food (only with concepts marked food-safe, e.g. "crawling with maggots"), :o safe pool only,
 *  :k safe pool and bullying only. */
export const SCENERY = [
  // landscapes
  'misty mountain valley', 'lighthouse on a rocky cliff', 'quiet village street', 'wheat field under a stormy sky',
  'snowy pine forest', 'tropical island lagoon', 'desert canyon at sunset', 'lavender field in provence',
  'alpine lake with reflections', 'volcano erupting at night', 'northern lights over a frozen lake',
  'cherry blossom park in spring', 'rolling green hills with sheep', 'waterfall in a jungle', 'foggy moor at dawn',
  'sand dune in the sahara', 'rice terraces in bali', 'icelandic black sand beach', 'autumn forest path',
  'flower meadow in the alps', 'coral reef underwater', 'bamboo grove', 'old stone bridge over a river',
  'sunflower field', 'tuscan countryside with cypress trees', 'frozen waterfall', 'canyon river from above',
  'rainforest canopy', 'moonlit ocean', 'small fishing harbor', 'windmill in a tulip field', 'glacier cave',
  // cities and buildings
  'cyberpunk city street at night', 'busy tokyo crossing', 'new york skyline at dusk', 'paris street cafe',
  'venice canal with gondolas', 'gothic cathedral interior', 'abandoned subway station', 'cozy bookshop',
  'japanese temple in the snow', 'medieval castle on a hill', 'futuristic city with flying cars', 'old town square',
  'rooftop garden in the city', 'train station in the rain', 'neon diner at night', 'victorian mansion',
  'greenhouse full of plants', 'lighthouse keeper cottage', 'treehouse in an oak tree', 'modern glass skyscraper',
  'ancient greek temple in ruins', 'moroccan market street', 'hong kong alley at night', 'floating market in bangkok',
  'wooden cabin in the woods', 'underwater city', 'space station orbiting earth', 'steampunk airship harbor',
  'parking lot at night', 'empty shopping mall', 'suburban street with houses', 'city park fountain',
  'abandoned factory', 'school gymnasium:k', 'church courtyard', 'hotel lobby', 'highway overpass',
  // food and objects
  'bowl of ramen:f', 'stack of pancakes with berries:f', 'plate of spaghetti:f', 'slice of chocolate cake:f',
  'sushi platter:f', 'basket of fresh bread:f', 'cup of cappuccino with latte art:f', 'fruit tart:f', 'bowl of tomato soup:f',
  'burger with fries:f', 'birthday cake with candles:f', 'charcuterie board:f', 'fresh pizza from the oven:f',
  'vintage red convertible:o', 'steam locomotive:o', 'hot air balloon:o', 'sailboat at sea:o', 'old typewriter:o',
  'pocket watch:o', 'antique globe:o', 'vintage motorcycle:o', 'teddy bear on a bed:o', 'snow globe:o', 'chess set:o',
  'stained glass window:o', 'grand piano:o', 'bicycle leaning on a wall:o', 'lantern in the dark:o',
];

export interface PickOptions {
  allowMinor: boolean;
  sexual: boolean;
  pool: boolean;
  /** Scenery may be food ("a bowl of ramen"). */
  food?: boolean | 'only';
  /** People must be minors (schoolyard bullying concepts: the bully is a kid or teenager too). */
  requireMinor?: boolean;
}

function adjFor(next: string, det: string): string {
  if (det === '-') return '';
  return det === '' ? article(next) : det;
}

/** Builds a subject noun phrase with an optional inserted adjective ("a {pre} old man with a beard"). */
export function subjectPhrase(s: Subject, pre: string | null): string {
  // "a group of friends" takes the adjective after "of": "a group of naked friends".
  const of = /^((?:group|crowd|gang|band|team|mob) of) (.+)$/.exec(s.head);
  const middle = of ? [s.desc, of[1], pre, of[2]].filter(Boolean).join(' ') : [pre, s.desc, s.head].filter(Boolean).join(' ');
  const det = adjFor(middle, s.det);
  return [det, middle, s.post].filter(Boolean).join(' ');
}

function headOk(h: Head, o: PickOptions): boolean {
  if (h.poolOnly && !o.pool) return false;
  if (o.requireMinor && !h.minor) return false;
  if (h.minor && !o.allowMinor) return false;
  if (h.noSexual && o.sexual) return false;
  return true;
}

export function pickPerson(rng: Rng, o: PickOptions): Subject {
  const heads = PERSON_HEADS.filter((h) => headOk(h, o));
  const h = rng.pick(heads);
  let desc = '';
  if (!h.minor && rng.chance(0.5)) {
    const options = PERSON_DESC.map((d) => genderOk(d, h.gender)).filter(([t, ok]) => ok && !(AGE_WORD.test(t) && AGE_WORD.test(h.head)));
    desc = rng.pick(options)[0];
  }
  let post = '';
  if (rng.chance(0.3)) {
    const options = PERSON_POST.map((d) => genderOk(d, h.gender)).filter(([t, ok]) => ok && (!h.minor || KID_OK.test(t)));
    post = rng.pick(options)[0];
  }
  const full = [desc, h.head].filter(Boolean).join(' ');
  const short = words(full).length <= 2 ? full : h.head;
  const tags = [h.head, desc, post.replace(/^with (an? )?/, '').replace(/ around \{pos\} neck/, '')].filter(Boolean);
  return { group: `person:${h.head}`, kind: 'person', det: h.det, desc, head: h.head, post, short, tags, gender: h.gender, minor: h.minor, noSexual: h.noSexual };
}

export function pickGroup(rng: Rng, o: PickOptions): Subject {
  const h = rng.pick(GROUP_HEADS.filter((x) => headOk(x, o)));
  const bare = h.head.replace(/^(group|crowd|gang|band|team|mob) of /, '').replace(/^bride and groom$/, 'newlyweds');
  const counted = ['two', 'three', 'four'].includes(h.det) ? `${h.det} ${bare}` : bare;
  const short = words(counted).length <= 2 ? counted : bare;
  return { group: `group:${h.head}`, kind: 'group', det: h.det, desc: '', head: h.head, post: '', short, tags: [bare], gender: 'p', minor: h.minor, noSexual: h.noSexual };
}

export function pickAnimal(rng: Rng, o: PickOptions): Subject {
  const specs = ANIMALS.filter((a) => o.pool || !a.endsWith(':o')).map((a) => a.replace(/:o$/, ''));
  const head = rng.pick(specs);
  const desc = rng.chance(0.35) ? rng.pick(ANIMAL_DESC) : '';
  const urban = CITY_ANIMALS.test(head);
  const full = [desc, head].filter(Boolean).join(' ');
  return { group: `animal:${head}`, kind: 'animal', det: '', desc, head, post: '', short: words(full).length <= 2 ? full : head, tags: [head, desc].filter(Boolean), gender: 'i', minor: false, noSexual: true, outdoor: urban };
}

export function pickThing(rng: Rng, o: PickOptions): Subject {
  const specs = THINGS.filter((t) => o.allowMinor || !t.endsWith(':k'));
  const spec = rng.pick(specs);
  const [desc, head] = spec.replace(/:[k@]$/, '').split('|');
  const full = [desc, head].filter(Boolean).join(' ');
  const short = words(full).length <= 2 ? full : head.split(' ').slice(0, 2).join(' ');
  return { group: `thing:${head}`, kind: 'thing', det: '', desc, head, post: '', short, tags: [head], gender: 'i', minor: false, noSexual: true, outdoor: spec.endsWith(':@') };
}

export function pickScenery(rng: Rng, o: PickOptions): Subject {
  const specs = SCENERY.filter((s) => (o.pool || !s.endsWith(':o')) && (o.allowMinor || !s.endsWith(':k')) && (o.pool || !!o.food || !s.endsWith(':f')) && (o.food !== 'only' || s.endsWith(':f'))).map((s) => s.replace(/:[kof]$/, ''));
  const head = rng.pick(specs);
  const w = words(head);
  const cut = w.findIndex((x) => ['in', 'on', 'at', 'with', 'under', 'over', 'from', 'orbiting', 'leaning'].includes(x));
  const core = cut > 0 ? w.slice(0, cut) : w;
  // "stack of pancakes" -> "pancakes"; "misty mountain valley" -> "mountain valley"
  const of = core.indexOf('of');
  const short = (of >= 0 ? core.slice(of + 1) : core).slice(-2).join(' ');
  // "northern lights", "rice terraces" take no article; "stack of pancakes" does.
  const headNoun = of > 0 ? core[of - 1] : core[core.length - 1];
  const plural = /s$/.test(headNoun) && !/(ss|us|is)$/.test(headNoun);
  const tags = [core.join(' '), ...(cut > 0 ? [w.slice(cut + 1).join(' ').replace(/^(an?|the) /, '')] : [])];
  return { group: `scenery:${head}`, kind: 'scenery', det: plural ? '-' : '', desc: '', head, post: '', short, tags, gender: 'i', minor: false, noSexual: true };
}

export function pickSubject(rng: Rng, kind: SubjectKind, o: PickOptions): Subject {
  switch (kind) {
    case 'person':
      return pickPerson(rng, o);
    case 'group':
      return pickGroup(rng, o);
    case 'animal':
      return pickAnimal(rng, o);
    case 'thing':
      return pickThing(rng, o);
    case 'scenery':
      return pickScenery(rng, o);
  }
}
