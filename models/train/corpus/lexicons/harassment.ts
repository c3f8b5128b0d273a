/**
 * Harassment: bullying, mocking, humiliating, stalking, intimidation, cyberbullying. Concepts marked
 * `minor` are schoolyard bullying with nothing sexual in them; sexual harassment concepts are adults only.
 */
import { LexiconBuilder } from './build';

const b = new LexiconBuilder('harassment', { dropAttire: false });
const P = { targets: ['person' as const, 'group' as const] };
const PK = { ...P, minor: true };
const K = { minor: true };

b.action('bullying a classmate | bullying classmate | bullying => helping a classmate with homework | helping classmate | studying, homework', PK)
  .action('mocking a crying woman | mocking crying woman | mocking, bullying => comforting a crying woman | comforting woman | comforting', P)
  .action('humiliating a coworker in front of everyone | humiliating coworker | humiliation, workplace bullying => congratulating a coworker in front of everyone | congratulating coworker | congratulations', P)
  .action('stalking a woman at night | stalking woman | stalker, stalking => walking with a friend at night | walking with friend | walking, friends')
  .action('secretly filming a woman through a window | secretly filming woman | voyeurism, hidden camera => filming a bird through a window | filming bird | filming, bird')
  .action('cornering a frightened woman in an alley | cornering woman | intimidation, harassment => giving directions to a woman | giving directions | directions', { where: ['urban'] })
  .action('catcalling a woman walking by | catcalling | catcalling, street harassment => saying hello to a neighbor walking by | greeting neighbor | greeting', P)
  .action('groping a woman on a crowded train | groping woman | groping, sexual harassment => offering a seat to a woman on a crowded train | offering seat | kindness, train')
  .action('spitting on a homeless man | spitting on homeless | spitting, harassment => giving food to a homeless man | feeding homeless | charity', P)
  .action('shoving a smaller kid into a locker | shoving into locker | bullying, locker => helping a smaller kid open a locker | helping kid | locker, helping', PK)
  .action('body-shaming an overweight woman | body-shaming | body shaming, mocking => complimenting a woman on her outfit | complimenting | compliment', P)
  .action('throwing food at a disabled man | throwing food | harassment, mocking disabled => sharing food with a disabled man | sharing food | sharing, kindness', PK)
  .action('yelling insults at a waitress | yelling insults | verbal abuse => thanking a waitress | thanking waitress | gratitude', P)
  .action('intimidating a neighbor with threats | threatening neighbor | threats, intimidation => chatting with a neighbor over the fence | chatting neighbor | chatting, neighbor', P)
  .action('following a woman home against her will | following woman | stalking, harassment')
  .action('mocking a kid with a stutter | mocking stutter | mocking, bullying => listening to a kid tell a story | listening | storytelling', PK)
  .action('ganging up on a lonely student | ganging up | bullying, group bullying => inviting a lonely student to lunch | inviting to lunch | friendship', { targets: ['group'], minor: true })
  .action("pulling a woman's hair while laughing | pulling woman's hair | bullying, assault => braiding a woman's hair | braiding hair | braids")
  .action('dumping trash on a homeless man | dumping trash | harassment, cruelty => sharing a coffee with a homeless man | sharing coffee | kindness', P)
  .action('sending threatening messages to {pos} ex | threatening messages | harassment, threats, cyberstalking => sending birthday messages to a friend | sending birthday messages | messages')
  .action('laughing at a crying boy | laughing at boy | mocking, bullying => cheering up a crying boy | cheering up boy | kindness', PK)
  .action('posting cruel comments about a classmate online | cyberbullying | cyberbullying, mean comments => posting kind comments about a classmate online | posting kind comments | comments', PK)
  .action('pinning a smaller kid to the ground | pinning kid | bullying, fight => helping a smaller kid stand up | helping kid up | helping', PK)
  .action("screaming in a woman's face | screaming at woman | verbal abuse, aggression => singing to a woman | serenading | serenade")
  .action("blocking a woman's path and leering at her | leering | leering, harassment => holding the door for a woman | holding door | politeness")
  .action('mocking an old man with a cane | mocking old man | ridicule => helping an old man with a cane cross the street | helping old man | helping', PK)
  .action('publicly shaming a woman with a humiliating sign | publicly shaming woman | shaming, humiliation => publicly thanking a woman with a banner | publicly thanking woman | banner', P)
  .action('taking humiliating photos of a drunk coworker | humiliating photos | humiliation, cyberbullying => taking party photos of a coworker | taking party photos | photos', P)
  .action('tearing up a classmate\'s homework and laughing | tearing homework | bullying => handing a classmate {pos} homework | handing homework | homework', PK)
  .action('harassing a woman with lewd comments | harassing woman lewdly | sexual harassment, comments => chatting with a woman about books | chatting about books | conversation')
  .action('threatening a journalist outside her home | threatening journalist | intimidation, threats => interviewing a journalist outside her home | interviewing | interview', P)
  .action('stealing a kid\'s lunch money and taunting him | taunting kid | bullying, taunting => buying a kid an ice cream | buying ice cream | ice cream', PK)
  .action('photographing a woman in a changing room without consent | filming woman undressing | voyeurism, changing room')
  .extra('while a crowd laughs and jeers | crowd jeering | jeering, humiliation => while a crowd applauds | crowd applauding | applause', PK)
  .extra("with 'loser' written on {pos} forehead | loser on forehead | humiliation, bullying => with a smiley face sticker on {pos} cheek | smiley sticker | sticker", PK)
  .extra("with a 'kick me' sign taped to {pos} back | kick me sign | bullying, prank => with a name tag on {pos} shirt | name tag | name tag", PK)
  .extra('being mocked by a group of bullies | mocked by bullies | bullying => being greeted by a group of friends | greeted by friends | friends', PK)
  .extra('being followed by a stalker in the shadows | stalked | stalker, fear => being followed by a friendly dog | followed by dog | dog')
  .extra('crying while classmates laugh at {obj} | classmates laughing | bullying, crying => smiling while classmates clap for {obj} | classmates clapping | applause', PK)
  .extra('surrounded by people pointing and laughing | mocked by crowd | mocking, ridicule => surrounded by people smiling | among smiling people | smiling people', PK)
  .extra('being spat on by strangers | spat on | harassment, spitting => being waved at by strangers | waved at | waving')
  .extra('with insults scrawled on {pos} car | insults on car | vandalism, harassment => with balloons tied to {pos} car | balloons on car | balloons')
  .extra('being shoved around by bullies | shoved by bullies | bullying, shoving => being hugged by friends | hugged by friends | hug', PK)
  .extra('with a threatening note | threatening note | threat, harassment => with a thank-you note | thank-you note | note', { targets: ['thing'] })
  .extra('covered in hateful bullying messages | bullying messages | bullying, insults => covered in friendly sticky notes | sticky notes | sticky notes', { targets: ['thing'], minor: true })
  .extra('with printed stalker photos of a woman | stalker photos | stalking, obsession => with printed holiday photos | holiday photos | photos', { targets: ['thing'] })
  .object('a hateful meme mocking a classmate | bullying meme | cyberbullying, meme => a funny meme about a cat | cat meme | meme', K)
  .object("a stalker's wall of secret photos of a woman | stalker wall | stalking, obsession, photos => a wall of family photos | family photo wall | photos", { where: ['indoor'] })
  .object('a phone screen full of cyberbullying comments | cyberbullying | cyberbullying, insults => a phone screen full of birthday wishes | birthday wishes | phone, messages', K)
  .object('a threatening letter made of cut-out letters | threatening letter | threat, intimidation => a handwritten thank-you letter | thank-you letter | letter', { where: ['indoor'] })
  .object("a doxxing post revealing a woman's home address | doxxing | doxxing, harassment => a post sharing a cookie recipe | recipe post | recipe")
  .object('an online hate mob attacking a woman | online hate mob | harassment, pile-on => an online fan club cheering a woman | fan club | fans')
  .object('a gang of bullies cornering a crying kid | bullies cornering kid | bullying => a group of kids sharing snacks | kids sharing | friendship', K)
  .object('a humiliating prank video of a crying classmate | humiliating prank | bullying, prank, humiliation => a funny birthday video of a classmate | birthday video | birthday', K)
  .object('a wall of threatening hate mail | hate mail | threats, harassment => a wall of fan mail | fan mail | letters', { where: ['indoor'] });

export const HARASSMENT = b.concepts;
export const HARASSMENT_BOOSTERS = ['bullying', 'humiliation', 'harassment', 'mocking', 'cruel', 'intimidation', 'abuse'];
