/**
 * Safe things people and animals do, and safe clothing. "text | short | tag @kinds" where @kinds (comma
 * list of setting kinds) limits where the action makes sense; no @ means anywhere.
 */
import type { Rng } from './prng';
import { phrase } from './text';
import type { Phrase, SettingKind, SubjectKind } from './types';

export interface SafeAction extends Phrase {
  where: SettingKind[] | null;
  gender: 'f' | 'm' | null;
}

function parse(spec: string): SafeAction {
  const [body, at] = spec.split('@');
  const [main, gender] = body.includes('#') ? body.split('#') : [body, ''];
  return { ...phrase(main), where: at ? (at.split(',').map((s) => s.trim()) as SettingKind[]) : null, gender: gender.trim() === 'f' ? 'f' : gender.trim() === 'm' ? 'm' : null };
}

export const PERSON_ACTIONS: SafeAction[] = [
  'reading a book | reading book | reading, book', 'drinking coffee | drinking coffee | coffee', 'walking a dog | walking dog | dog walk @urban,nature,water',
  'riding a bicycle | riding bicycle | bicycle @urban,nature', 'playing guitar | playing guitar | guitar', 'smiling at the camera | smiling | smile, looking at viewer',
  'looking out a window | looking out window | window @indoor,fantasy', 'holding an umbrella | holding umbrella | umbrella @urban,nature,water',
  'cooking dinner | cooking | cooking @indoor', 'painting on a canvas | painting canvas | painting, easel', 'taking a selfie | taking selfie | selfie',
  'dancing | dancing | dancing', 'laughing with friends | laughing | laughing, friends', 'sitting on a bench | sitting | sitting, bench @urban,nature',
  'waiting for a train | waiting | waiting @urban', 'talking on the phone | on phone | phone call', 'eating an ice cream cone | eating ice cream | ice cream',
  'carrying grocery bags | carrying groceries | grocery bags @urban', 'feeding pigeons | feeding pigeons | pigeons @urban,nature',
  'jogging | jogging | jogging, running @urban,nature,water', 'playing the violin | playing violin | violin', 'writing in a notebook | writing notes | notebook, writing',
  'holding a bouquet of flowers | holding flowers | bouquet, flowers', 'flying a kite | flying kite | kite @nature,water', 'fishing | fishing | fishing @water',
  'surfing a big wave | surfing | surfing, wave @water', 'building a sandcastle | building sandcastle | sandcastle @water', 'swimming | swimming | swimming @water',
  'meditating | meditating | meditation, calm', 'doing yoga | doing yoga | yoga', 'playing chess | playing chess | chess', 'knitting a scarf | knitting | knitting',
  'watering plants | watering plants | gardening, plants', 'baking bread | baking bread | baking, bread @indoor', 'pouring tea | pouring tea | tea, teapot',
  'hugging a friend | hugging friend | hug', 'waving hello | waving | waving', 'looking at the stars | stargazing | stars, night sky @nature,water,fantasy',
  'hiking with a backpack | hiking | hiking, backpack @nature', 'skateboarding | skateboarding | skateboard @urban', 'playing the piano | playing piano | piano @indoor,fantasy',
  'typing on a laptop | using laptop | laptop', 'sketching in a notebook | sketching | sketchbook, pencil', 'holding a cup of tea | holding tea | cup of tea',
  'walking in the rain | walking | walking, rain @urban,nature', 'sleeping peacefully | sleeping | sleeping @indoor,nature', 'blowing bubbles | blowing bubbles | bubbles',
  'carrying a surfboard | carrying surfboard | surfboard @water', 'selling flowers | selling flowers | flower stall @urban', 'taking photographs | taking photos | camera, photography',
  'playing with a puppy | playing with puppy | puppy', 'feeding ducks | feeding ducks | ducks @water,nature', 'eating noodles | eating noodles | noodles, eating',
  'drinking lemonade | drinking lemonade | lemonade', 'holding a lantern | holding lantern | lantern', 'climbing a rock wall | climbing | climbing @nature',
  'picking apples | picking apples | apples, harvest @nature', 'riding a horse | riding horse | horse riding @nature', 'ice skating | ice skating | ice skating @water,urban',
  'singing into a microphone | singing | singing, microphone', 'juggling | juggling | juggling', 'reading a newspaper | reading newspaper | newspaper',
  'sitting by the fire | by fire | fire, warmth @indoor,nature,fantasy', 'shopping for vegetables | shopping | shopping, vegetables @urban',
  'arranging flowers | arranging flowers | flower arrangement', 'checking a map | reading map | map, travel', 'holding a sign that says hello | holding sign | sign, hello',
  'brushing {pos} hair | brushing hair | hair brushing @indoor', 'tying {pos} shoes | tying shoes | shoes', 'stretching after a run | stretching | stretching',
  'sipping wine | sipping wine | wine glass @indoor,urban,nature', 'playing the drums | playing drums | drums', 'making pottery | making pottery | pottery, clay @indoor',
  'wearing headphones and nodding | listening to music | headphones, music', 'laughing | laughing | laughing', 'crying tears of joy | happy tears | tears of joy',
  'shaking hands with a colleague | shaking hands | handshake', 'giving a speech | giving speech | speech, podium', 'pushing a stroller | pushing stroller | stroller @urban,nature',
  'fixing a bicycle | fixing bike | bicycle repair', 'chopping vegetables | chopping vegetables | cooking, vegetables @indoor', 'eating pizza | eating pizza | pizza',
  'looking at {pos} phone | checking phone | smartphone', 'opening a gift | opening gift | gift box', 'drinking from a water bottle | drinking water | water bottle',
  'standing in the wind | standing | wind, hair blowing', 'leaning against a wall | leaning on wall | leaning @urban,indoor', 'sitting cross-legged | sitting | sitting',
  'posing for a portrait | posing | portrait, posing', 'walking away from the camera | walking away | from behind',
].map(parse);

export const GROUP_ACTIONS: SafeAction[] = [
  'having a picnic | having picnic | picnic @nature,water,urban', 'laughing together | laughing | laughing, friends', 'dancing together | dancing | dancing',
  'playing volleyball | playing volleyball | volleyball @water,nature', 'sharing a meal | sharing meal | dinner, table', 'posing for a group photo | group photo | group photo',
  'walking together | walking | walking', 'playing board games | board games | board game @indoor', 'singing together | singing | singing',
  'cheering | cheering | cheering, crowd', 'playing soccer | playing soccer | soccer @nature,urban', 'toasting with glasses | toasting | toast, glasses',
  'watching a sunset | watching sunset | sunset @nature,water,urban', 'talking and smiling | talking | conversation', 'waiting in line | waiting in line | queue @urban,indoor',
  'building a snowman | building snowman | snowman @nature', 'holding hands | holding hands | holding hands', 'hiking up a trail | hiking | hiking @nature',
  'working together | working | teamwork', 'playing music | playing music | band, music', 'having coffee | having coffee | coffee @indoor,urban',
  'sitting around a campfire | around campfire | campfire @nature', 'celebrating a birthday | celebrating | birthday party', 'clapping | clapping | applause',
  'taking a selfie together | group selfie | selfie', 'rowing a boat | rowing | rowing boat @water', 'planting trees | planting trees | tree planting @nature',
].map(parse);

export const ANIMAL_ACTIONS: SafeAction[] = [
  'sleeping | sleeping | sleeping', 'running | running | running @nature,water,urban', 'sitting | sitting | sitting', 'looking at the camera | looking at camera | looking at viewer',
  'resting in the shade | resting | resting', 'playing | playing | playful', 'walking | walking | walking', 'drinking water | drinking | drinking',
  'curled up | curled up | curled up', 'jumping | jumping | jumping', 'yawning | yawning | yawning', 'standing proudly | standing | standing',
  'lying in the grass | lying in grass | grass @nature', 'eating | eating | eating', 'sniffing a flower | sniffing flower | flower @nature',
  'splashing in the water | splashing | splashing, water @water', 'rolling in the snow | in snow | snow @nature', 'peeking out | peeking | peeking',
].map(parse);

/** Safe clothing for people: "wearing a red dress". #f/#m restricts to that gender. */
export const SAFE_ATTIRE: SafeAction[] = [
  'wearing a red dress | in red dress | red dress #f', 'in a denim jacket | in denim jacket | denim jacket', 'wearing a yellow raincoat | in raincoat | yellow raincoat',
  'in a business suit | in suit | business suit', 'wearing a wool sweater | in sweater | wool sweater', 'in a leather jacket | in leather jacket | leather jacket',
  'wearing a summer dress | in summer dress | summer dress #f', 'in a winter coat | in winter coat | winter coat', 'wearing a hoodie | in hoodie | hoodie',
  'in a kimono | in kimono | kimono', 'wearing a tuxedo | in tuxedo | tuxedo', 'in a wedding dress | in wedding dress | wedding dress #f',
  'wearing overalls | in overalls | overalls', 'in a pilot uniform | in pilot uniform | pilot uniform', 'wearing a tracksuit | in tracksuit | tracksuit',
  'in a trench coat | in trench coat | trench coat', 'wearing a cardigan | in cardigan | cardigan', 'in medieval armor | in armor | armor',
  'wearing a lab coat | in lab coat | lab coat', 'in a flannel shirt | in flannel | flannel shirt', 'wearing a ball gown | in ball gown | ball gown #f',
  'in a sari | in sari | sari #f', 'wearing a puffer jacket | in puffer jacket | puffer jacket', 'in a floral blouse | in floral blouse | floral blouse #f',
  'wearing a turtleneck | in turtleneck | turtleneck', 'in a white t-shirt and jeans | in t-shirt | t-shirt, jeans', 'wearing a poncho | in poncho | poncho',
  'in a vintage suit | in vintage suit | vintage suit', 'wearing a knitted beanie | in beanie | beanie', 'in a silk robe | in silk robe | silk robe',
  'wearing a hanbok | in hanbok | hanbok', 'in a chef uniform | in chef whites | chef uniform', 'wearing a scarf and gloves | in scarf | scarf, gloves',
].map(parse);

export function actionsFor(kind: SubjectKind): SafeAction[] {
  switch (kind) {
    case 'person':
      return PERSON_ACTIONS;
    case 'group':
      return GROUP_ACTIONS;
    case 'animal':
      return ANIMAL_ACTIONS;
    default:
      return [];
  }
}

export function pickFitting(rng: Rng, items: SafeAction[], kind: SettingKind | null, gender: string): SafeAction | null {
  const ok = items.filter((a) => (!a.where || !kind || a.where.includes(kind)) && (!a.gender || a.gender === gender));
  return ok.length ? rng.pick(ok) : null;
}
