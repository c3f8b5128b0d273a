/**
 * Where a scene happens. Each entry: "text | short (prep + at most one noun) | tags". A time or weather
 * modifier is appended to some of them ("in a subway station at night").
 */
import type { Rng } from './prng';
import type { Setting, SettingKind } from './types';

const SETTINGS: Record<SettingKind, string[]> = {
  water: [
    'on a sandy beach | on beach | beach', 'on a tropical beach with palm trees | on beach | tropical beach, palm trees',
    'on a rocky shore | on shore | rocky shore', 'by a lake | by lake | lake', 'on a wooden pier | on pier | pier',
    'by a swimming pool | by pool | swimming pool', 'on a sailboat | on sailboat | sailboat',
    'on a riverbank | by river | riverbank', 'at a harbor | at harbor | harbor', 'on a cliff above the sea | on cliff | cliff, sea',
    'in a hot spring | in hot spring | hot spring', 'on a houseboat | on houseboat | houseboat',
    'at a waterpark | at waterpark | waterpark', 'on a ferry | on ferry | ferry', 'by a waterfall | by waterfall | waterfall',
    'on a frozen lake | on ice | frozen lake',
    'at the edge of a fjord | by fjord | fjord', 'on a dock at a marina | on dock | marina',
  ],
  urban: [
    'on a busy city street | on street | city street', 'in a neon-lit alley | in alley | alley, neon lights',
    'in a subway station | in subway | subway station', 'on a rooftop | on rooftop | rooftop',
    'in a parking garage | in garage | parking garage', 'at a bus stop | at bus stop | bus stop',
    'in times square | in times square | times square', 'on a bridge over a river | on bridge | bridge, river',
    'in a crowded market | at market | market, crowd', 'outside a small cafe | outside cafe | cafe, street',
    'at a gas station | at gas station | gas station', 'in front of a brick wall with murals | by mural | brick wall, mural',
    'in a city park | in park | city park', 'on a train platform | on platform | train platform',
    'at a night market | at night market | night market', 'in a back alley | in alley | back alley',
    'on a fire escape | on fire escape | fire escape', 'in a skate park | at skatepark | skate park',
    'at a street festival | at festival | street festival', 'in front of a convenience store | by store | convenience store',
    'on the steps of a museum | on steps | museum steps', 'at an outdoor concert | at concert | concert, crowd',
    'in a shopping mall | in mall | shopping mall', 'in a parking lot | in parking lot | parking lot',
    'under a highway overpass | under overpass | overpass', 'in a tokyo side street | in tokyo | tokyo street',
    'on a london street | in london | london street', 'in a paris square | in paris | paris, square',
    'at a crosswalk | at crosswalk | crosswalk', 'in a cobblestone old town | in old town | old town, cobblestones',
    'on a suburban street | on street | suburban street', 'outside a nightclub | outside nightclub | nightclub',
    'at a stadium | at stadium | stadium', 'at an airport terminal | at airport | airport terminal',
    'in a train carriage | on train | train interior', 'at a taxi rank | by taxi | taxi, city',
    'by a graffiti wall | by graffiti | graffiti wall', 'on a balcony overlooking the city | on balcony | balcony, cityscape',
  ],
  indoor: [
    'in a cozy living room | in living room | living room', 'in a modern kitchen | in kitchen | kitchen',
    'in a hotel room | in hotel room | hotel room', 'in a bedroom | in bedroom | bedroom',
    'in a dimly lit bar | in bar | bar, dim light', 'in an office | in office | office',
    'in a library | in library | library', 'in a bathroom | in bathroom | bathroom',
    'in an abandoned warehouse | in warehouse | abandoned warehouse', 'in a dark basement | in basement | basement',
    'in a hospital corridor | in hospital | hospital corridor', 'in a locker room | in locker room | locker room',
    'in a laundromat | in laundromat | laundromat', 'in a church | in church | church interior',
    'in a museum gallery | in museum | museum', 'in a greenhouse | in greenhouse | greenhouse',
    'in a recording studio | in studio | recording studio', 'in a diner | in diner | diner',
    'in a gym | in gym | gym', 'in an elevator | in elevator | elevator', 'in a motel room | in motel | motel room',
    'in a coffee shop | in coffee shop | coffee shop', 'in a restaurant | in restaurant | restaurant',
    'in a garage workshop | in garage | garage workshop', 'in an attic | in attic | attic',
    'in a photo studio | in studio | photo studio, backdrop', 'in a train station hall | in station | train station',
    'in a nightclub | in nightclub | nightclub, dance floor', 'in a supermarket aisle | in supermarket | supermarket',
    'in a barber shop | in barbershop | barber shop', 'in a bookstore | in bookstore | bookstore',
    'in a dorm room | in dorm | dorm room', 'in a kitchen at home | at home | home kitchen',
    'in a living room with a fireplace | by fireplace | fireplace, living room', 'in a waiting room | in waiting room | waiting room',
    'in a conference room | in meeting room | conference room', 'in a rundown apartment | in apartment | apartment',
    'in an art studio | in studio | art studio', 'in a wine cellar | in cellar | wine cellar',
    'in a public restroom | in restroom | public restroom', 'in a prison cell | in cell | prison cell',
    'in a car | in car | car interior', 'in a tent | in tent | tent', 'in a sauna | in sauna | sauna',
  ],
  nature: [
    'in a misty forest | in forest | forest, mist', 'in a field of sunflowers | in sunflowers | sunflower field',
    'on a snowy mountain peak | on mountain | mountain peak, snow', 'in a desert | in desert | desert',
    'in a bamboo forest | in bamboo forest | bamboo forest', 'in a lavender field | in lavender | lavender field',
    'in an autumn park | in park | autumn, park', 'on a grassy hill | on hill | grassy hill',
    'in a jungle | in jungle | jungle', 'in a meadow full of wildflowers | in meadow | meadow, wildflowers',
    'on a country road | on road | country road', 'in a wheat field | in wheat field | wheat field',
    'in a pine forest | in woods | pine forest', 'on a mountain trail | on trail | mountain trail',
    'in a cornfield | in cornfield | cornfield', 'by a campfire | by campfire | campfire, night',
    'in a vineyard | in vineyard | vineyard', 'on a farm | on farm | farm', 'in an orchard | in orchard | orchard',
    'in a canyon | in canyon | canyon', 'on a glacier | on glacier | glacier', 'in a swamp | in swamp | swamp',
    'in a rice paddy | in rice field | rice paddy', 'in a snowy field | in snow | snow field',
    'in a rose garden | in garden | rose garden', 'in a japanese garden | in garden | japanese garden',
    'in the savanna | in savanna | savanna', 'in a cave | in cave | cave', 'on a volcanic plain | on volcano | volcanic landscape',
    'under a cherry blossom tree | under tree | cherry blossoms', 'in a backyard | in backyard | backyard',
    'on a picnic blanket in a park | in park | picnic, park', 'in tall grass | in grass | tall grass',
  ],
  fantasy: [
    'on a spaceship bridge | on spaceship | spaceship interior', 'in a cyberpunk city | in cyberpunk city | cyberpunk city',
    'in a medieval castle hall | in castle | castle hall', 'in an enchanted forest | in enchanted forest | enchanted forest',
    'on an alien planet | on alien planet | alien planet', 'in a post-apocalyptic wasteland | in wasteland | wasteland',
    'in a steampunk workshop | in workshop | steampunk workshop', 'in a fantasy tavern | in tavern | tavern',
    'in a wizard tower | in tower | wizard tower', 'in an ancient temple | in temple | ancient temple',
    'in a throne room | in throne room | throne room', 'on a pirate ship | on ship | pirate ship',
    'in a dungeon | in dungeon | dungeon', 'in a futuristic lab | in lab | futuristic laboratory',
    'in a floating sky city | in sky city | floating city', 'in an underwater kingdom | underwater | underwater kingdom',
    'in a dragon cave | in cave | dragon lair', 'in a haunted mansion | in mansion | haunted mansion',
    'in a viking village | in village | viking village', 'in a roman colosseum | in colosseum | colosseum',
  ],
};

/** Safe-only settings where minors appear (schools, playgrounds). */
const KID_ZONES = [
  'in a school classroom | in classroom | classroom', 'in a school hallway | in hallway | school hallway',
  'on a playground | on playground | playground', 'in a school cafeteria | in cafeteria | school cafeteria',
  'on a school bus | on bus | school bus', 'in a school gym | in gym | school gym', 'outside the school gates | at school | school',
];

export const TIMES = [
  'at night | night', 'at sunset | sunset', 'at dawn | dawn', 'at golden hour | golden hour', 'in the rain | rain',
  'during a snowstorm | snow', 'on a foggy morning | fog', 'at noon | daylight', 'at dusk | dusk',
  'under a full moon | full moon', 'in winter | winter', 'in autumn | autumn', 'on a summer afternoon | summer',
  'at midnight | midnight', 'in heavy rain | heavy rain', 'under a starry sky | starry sky',
];

function parse(spec: string, kind: SettingKind, kidZone: boolean): Setting {
  const [text, short, tags] = spec.split('|').map((x) => x.trim());
  return { group: `setting:${text}`, text, short, tags: tags.split(',').map((t) => t.trim()), kind, kidZone };
}

export const ALL_SETTINGS: Setting[] = [
  ...(Object.keys(SETTINGS) as SettingKind[]).flatMap((k) => SETTINGS[k].map((s) => parse(s, k, false))),
  ...KID_ZONES.map((s) => parse(s, 'indoor', true)),
];

export interface SettingOptions {
  where: SettingKind[] | null;
  kidZones: boolean;
  /** Probability of appending a time/weather modifier. */
  timeP: number;
  /** Leave out bars, nightclubs, motels, bedrooms... (scenes that may involve minors). */
  noAdultPlaces?: boolean;
}

const ADULT_PLACES = /\b(bar|nightclub|motel|hotel room|wine cellar|prison|dungeon|sauna|public restroom|dorm|bedroom|tavern|bathroom|hot spring)\b/;

export function pickSetting(rng: Rng, o: SettingOptions): Setting {
  let options = ALL_SETTINGS.filter((s) => (!s.kidZone || o.kidZones) && (!o.where || o.where.includes(s.kind)) && !(o.noAdultPlaces && ADULT_PLACES.test(s.text)));
  // Kid zones are few; let them appear often enough in bullying scenes.
  if (o.kidZones && rng.chance(0.5)) options = options.filter((s) => s.kidZone);
  const base = rng.pick(options);
  if (!rng.chance(o.timeP)) return base;
  const [t, tag] = rng.pick(TIMES).split('|').map((x) => x.trim());
  if (base.kind === 'indoor' && /rain|snow|fog|sky|moon|noon|sunset|dawn|golden/.test(t)) return base;
  return { ...base, text: `${base.text} ${t}`, tags: [...base.tags, tag] };
}
