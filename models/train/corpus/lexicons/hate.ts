/**
 * Hate: hate symbols and salutes, hate groups, racist/antisemitic/anti-LGBT propaganda and acts.
 * Deliberately no spelled-out slurs: the corpus names the act ("shouting racial slurs") instead, and the
 * safe counterparts keep the group words (a mosque, a black family, a rainbow flag) so the model learns
 * that naming a group is not hateful.
 */
import { LexiconBuilder } from './build';

const b = new LexiconBuilder('hate', { dropAttire: false });
const P = { targets: ['person' as const, 'group' as const] };

b.pre('neo-nazi | neo-nazi | neo-nazi', P)
  .pre('white supremacist | white supremacist | white supremacist, racist', P)
  .pre('racist skinhead => punk | punk | punk', P)
  .pre('kkk-hooded | kkk-hooded | kkk, klan hood', P)
  .attire('wearing a kkk robe and hood | in kkk robes | kkk, klan robe, klan hood => wearing a white bathrobe | in bathrobe | bathrobe')
  .attire('wearing a swastika armband | wearing swastika armband | swastika, nazi armband => wearing a black mourning armband | wearing black armband | armband')
  .attire('in a nazi ss uniform | in nazi uniform | nazi uniform, ss, swastika => in a vintage pilot uniform | in pilot uniform | vintage uniform')
  .attire('with a swastika tattoo on {pos} face | with swastika tattoo | swastika tattoo, neo-nazi => with a rose tattoo on {pos} arm | with rose tattoo | rose tattoo')
  .attire('wearing a white power t-shirt | in white-power shirt | white power, racist shirt => wearing a band t-shirt | in band t-shirt | band t-shirt')
  .attire('wearing a shirt with a racist slogan | in racist shirt | racist slogan => wearing a shirt with a funny slogan | in slogan t-shirt | slogan shirt')
  .attire('in blackface makeup | in blackface | blackface, racist caricature => in tiger face paint | in tiger facepaint | face paint')
  .attire('wearing a hitler mustache and nazi uniform | in hitler costume | hitler, nazi uniform => wearing a chaplin costume | in chaplin costume | costume')
  .action('doing a nazi salute | doing nazi salute | nazi salute, sieg heil => raising {pos} hand to wave | waving | waving', P)
  .action('giving a sieg heil salute | giving sieg heil | sieg heil, nazi => giving a thumbs up | giving thumbs up | thumbs up', P)
  .action('burning a cross | burning cross | cross burning, kkk => lighting a bonfire | lighting bonfire | bonfire', { targets: ['person', 'group'], where: ['nature', 'urban'] })
  .action('spray-painting a swastika on a synagogue | painting swastika | swastika, antisemitic graffiti => spray-painting a mural on a wall | painting mural | mural, street art', { where: ['urban'] })
  .action('holding a sign covered in racial slurs | holding racist sign | racial slurs, racist sign => holding a sign for a bake sale | holding bake-sale sign | sign', P)
  .action('waving a nazi flag | waving nazi flag | nazi flag, swastika => waving a rainbow flag | waving rainbow flag | rainbow flag, pride', P)
  .action('shouting racial slurs at a black family | shouting racial slurs | racism, slurs => chatting with a black family | chatting with family | conversation, family', P)
  .action('burning a quran in front of a mosque | burning quran | quran burning, islamophobia => reading a book in front of a mosque | reading near mosque | reading, mosque', { where: ['urban'] })
  .action('painting antisemitic graffiti | painting antisemitic graffiti | antisemitism, graffiti => painting a colorful mural | painting mural | mural', P)
  .action('marching with tiki torches chanting white power slogans | white power marching | white supremacist march, torches => marching in a lantern festival | marching with lanterns | lantern festival', P)
  .action('drawing an antisemitic caricature of a jewish man | drawing antisemitic caricature | antisemitic caricature => drawing a portrait of a jewish man | drawing portrait | portrait drawing')
  .action('hanging a noose as a racist threat | hanging racist noose | noose, racism, threat => hanging a wreath on a door | hanging wreath | wreath')
  .action('giving a speech about white racial purity | preaching racial purity | white supremacy, speech => giving a speech about gardening | gardening speech | speech, podium')
  .action('handing out neo-nazi propaganda leaflets | spreading nazi propaganda | neo-nazi, propaganda => handing out concert flyers | handing out flyers | flyers', P)
  .action('holding an anti-immigrant hate sign | holding anti-immigrant sign | xenophobia, hate sign => holding a refugees welcome sign | holding welcome sign | welcome sign', P)
  .action('attacking a gay couple in a hate crime | attacking gay couple | homophobia, hate crime => greeting a gay couple | greeting couple | greeting, couple', P)
  .action('burning a rainbow pride flag | burning pride flag | homophobia, flag burning => folding a rainbow pride flag | folding flag | rainbow flag', P)
  .action('vandalizing jewish graves with swastikas | desecrating graves | antisemitism, vandalism, swastika => laying flowers on jewish graves | laying flowers | flowers, cemetery', { ...P, where: ['urban', 'nature'] })
  .action('saluting a portrait of hitler | saluting hitler | hitler, nazi => admiring a portrait of a king | admiring portrait | portrait')
  .action('chanting antisemitic slogans | chanting antisemitic slogans | antisemitism, chanting => chanting football songs | chanting | football fans', P)
  .action('mocking a muslim woman in a hijab with racist insults | insulting muslim woman | islamophobia, racism => talking with a muslim woman in a hijab | talking with friend | conversation, hijab')
  .extra('with swastika flags in the background | swastika flags | swastika, nazi flags => with colorful flags in the background | colorful flags | flags', P)
  .extra('with a burning cross behind {obj} | burning cross | burning cross, kkk => with a bonfire behind {obj} | bonfire | bonfire', P)
  .extra('surrounded by nazi banners | nazi banners | nazi, banners, swastika => surrounded by festival banners | festival banners | banners', P)
  .extra('in front of racist graffiti | racist graffiti | racist graffiti => in front of colorful graffiti | graffiti | graffiti art', P)
  .extra("next to a 'whites only' sign | whites only sign | segregation, racist sign => next to an 'open' sign | open sign | shop sign", P)
  .extra('with a hitler portrait on the wall | hitler portrait | hitler, nazi => with a family portrait on the wall | family portrait | portrait')
  .extra('with white supremacist symbols tattooed on {pos} arms | white power tattoos | white supremacist tattoos => with flower tattoos on {pos} arms | flower tattoos | tattoos')
  .extra('with nazi flags and propaganda | nazi propaganda | nazi, swastika, propaganda => with travel brochures and maps | travel brochures | brochures', { targets: ['thing'] })
  .extra('with a kkk hood and a noose | kkk hood, noose | kkk, noose => with a sun hat and a scarf | sun hat | hat, scarf', { targets: ['thing'] })
  .extra('during a neo-nazi march | neo-nazi march | nazi march, swastika => during a summer parade | summer parade | parade', { targets: ['scenery'] })
  .extra('with a burning kkk cross | burning cross | kkk, cross burning => with a glowing bonfire | bonfire | bonfire', { targets: ['scenery'] })
  .extra('covered in swastika graffiti | swastika graffiti | swastika, graffiti => covered in colorful graffiti | colorful graffiti | graffiti', { targets: ['scenery'] })
  .object('a kkk rally | kkk rally | kkk, klan rally => a farmers market | farmers market | market', { where: ['urban', 'nature'] })
  .object('a nazi propaganda poster | nazi propaganda poster | nazi propaganda, swastika => a vintage travel poster | travel poster | vintage poster')
  .object('a swastika flag | swastika flag | swastika, nazi flag => a checkered flag | checkered flag | flag')
  .object('a burning cross | burning cross | burning cross, kkk => a wooden cross | wooden cross | cross', { where: ['urban', 'nature'] })
  .object('a neo-nazi march | neo-nazi march | neo-nazi, march => a charity fun run | fun run | fun run', { where: ['urban'] })
  .object('an antisemitic cartoon | antisemitic cartoon | antisemitism, cartoon => a newspaper comic strip | comic strip | comic')
  .object('a racist caricature of a black man | racist caricature | racist caricature => a portrait of a black man | portrait | portrait')
  .object('a white supremacist rally | white supremacist rally | white power rally => a community picnic | community picnic | picnic', { where: ['urban', 'nature'] })
  .object('a hate rally against muslims | anti-muslim rally | islamophobia, hate rally => an eid celebration | eid celebration | eid', { where: ['urban'] })
  .object('a wall covered in racist graffiti | racist graffiti wall | racist graffiti => a wall covered in street art | street art wall | street art')
  .object('a neo-nazi skinhead concert | nazi punk concert | neo-nazi, concert => a punk rock concert | punk concert | punk rock', { where: ['indoor', 'urban'] })
  .object("a 'whites only' segregation sign | whites only sign | segregation, racism => a 'welcome' sign | welcome sign | sign")
  .object('a mob lynching a black man | lynching | lynching, racist mob => a crowd cheering a runner | cheering crowd | crowd', { where: ['urban', 'nature'] })
  .object('a cartoon mocking jewish people with hateful stereotypes | antisemitic stereotypes | antisemitism => a cartoon about a hanukkah dinner | hanukkah cartoon | hanukkah')
  .object('a poster calling refugees vermin | anti-refugee poster | xenophobia, hate poster => a poster welcoming refugees | welcome poster | refugees welcome')
  .object('a homophobic hate banner | homophobic banner | homophobia, hate banner => a pride parade banner | pride banner | pride parade')
  .object('nazi officers saluting under swastika banners | nazi rally | nazi, swastika, rally => officers saluting at a memorial | memorial salute | memorial', { where: ['urban', 'fantasy'] })
  .object('an ss death head insignia | ss insignia | ss, nazi symbol => a pirate flag insignia | pirate flag | jolly roger');

export const HATE = b.concepts;
export const HATE_BOOSTERS = ['racist', 'nazi', 'hateful', 'white power', 'propaganda', 'hate symbol', 'swastika', 'bigotry'];
