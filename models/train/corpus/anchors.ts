/**
 * Concept anchors: short labelled phrases the gateway embeds once and uses to explain a verdict ("closest
 * to: graphic violence with blood"). Written by hand, ~30 per unsafe category and ~60 safe ones; the safe
 * ones deliberately include the hard-negative themes (a boxing match, a war memorial, a pharmacy).
 */
import type { Category } from './types';

export const ANCHORS: Record<Category | 'safe', string[]> = {
  sexual: [
    'explicit nudity', 'a naked person', 'a nude woman', 'a nude man', 'topless', 'exposed breasts', 'exposed genitals',
    'pornography', 'explicit sex', 'a couple having sex', 'oral sex', 'masturbation', 'an orgy', 'a sexual pose',
    'see-through lingerie', 'a striptease', 'a lap dance', 'a porn shoot', 'hentai porn', 'nsfw erotic content',
    'full frontal nudity', 'bondage and fetish gear', 'a sex toy', 'an erect penis', 'a brothel', 'a webcam porn stream',
    'a nude photoshoot', 'sexually explicit content', 'a nude pole dancer', 'rule 34 porn',
  ],
  violence: [
    'graphic violence with blood', 'stabbing someone with a knife', 'shooting someone', 'a mass shooting', 'a massacre',
    'beheading', 'torture', 'strangling someone', 'a bloody fight', 'beating someone with a bat', 'a public execution',
    'a terrorist bombing', 'a murder scene', 'a dead body in a pool of blood', 'a gunshot wound', 'a slit throat',
    'a firing squad', 'a war crime', 'setting a person on fire', 'a hostage with a gun to the head', 'kicking a man on the ground',
    'police brutality', 'a machete attack', 'a drive-by shooting', 'an assault', 'blood splatter', 'a knife stuck in a chest',
    'animal cruelty', 'a bloody corpse being dragged', 'a suicide bomber vest',
  ],
  hate: [
    'a swastika', 'a nazi salute', 'a kkk rally', 'a burning cross', 'a kkk robe and hood', 'a nazi uniform',
    'neo-nazi propaganda', 'white supremacist march', 'white power symbols', 'racial slurs', 'a racist caricature',
    'an antisemitic cartoon', 'antisemitic graffiti', 'a hitler portrait', 'blackface', 'a whites only sign',
    'burning a holy book', 'islamophobic hate rally', 'anti-immigrant hate sign', 'a homophobic hate crime',
    'burning a pride flag', 'racist abuse', 'a lynching', 'vandalizing graves with swastikas', 'hate symbols',
    'racial purity propaganda', 'ss insignia', 'a racist slogan', 'a mob shouting slurs', 'dehumanizing refugees as vermin',
  ],
  harassment: [
    'bullying', 'mocking a crying person', 'humiliating someone in public', 'stalking a woman', 'cyberbullying',
    'a threatening message', 'intimidation', 'catcalling', 'groping on a train', 'spitting on a homeless man',
    'shoving a kid into a locker', 'body shaming', 'ganging up on a lonely student', 'voyeur filming through a window',
    'doxxing', 'a hate mob online', 'a kick me sign', 'a crowd jeering at someone', 'a stalker photo wall',
    'verbal abuse', 'lewd comments', 'threatening a journalist', 'public shaming', 'a humiliating prank video',
    'mocking a disabled person', 'pulling hair and laughing', 'cornering someone in an alley', 'hate mail',
    'taunting a bullied kid', "screaming insults in someone's face",
  ],
  'self-harm': [
    'self-harm', 'cutting wrists', 'self-harm cuts on arms', 'suicide', 'hanging oneself', 'a noose', 'a suicide note',
    'an overdose of pills', 'jumping off a bridge', 'standing on a ledge to jump', "a gun to one's own head",
    'burning skin with a cigarette', 'a bloody razor blade', 'pro-ana thinspiration', 'starving oneself',
    'bulimic purging', 'drinking bleach', 'lying on train tracks', 'bleeding wrists', 'self-harm scars',
    'empty pill bottles and despair', 'a bathtub of bloody water', 'carving into skin', 'a suicide jumper',
    'self-injury', 'suicidal despair', 'slitting wrists', 'tying a noose', 'stepping in front of a train', 'emaciated body',
  ],
  shocking: [
    'gore', 'a mutilated corpse', 'rotting flesh', 'maggots', 'a decomposing body', 'intestines spilling out',
    'severed heads', 'a severed hand', 'vomit', 'feces', 'body horror', 'flesh melting off a face', 'exposed bones',
    'a gaping infected wound', 'pus', 'eyes gouged out', 'cannibalism', 'a gory autopsy', 'dismembered body',
    'a skinned carcass', 'roadkill', 'a burned corpse', 'a cracked skull with brains', 'a pile of corpses',
    'a jar of eyeballs', 'worms crawling out of skin', 'trypophobia skin', 'a zombie eating guts', 'drinking human blood',
    'disgusting grotesque imagery',
  ],
  'illegal-activity': [
    'snorting cocaine', 'lines of cocaine', 'a meth lab', 'cooking meth', 'injecting heroin', 'a heroin needle',
    'smoking crack', 'drug dealing', 'a drug deal', 'drug smuggling', 'shoplifting', 'robbing a bank',
    'an armed robbery', 'burglary', 'breaking into a car', 'car theft', 'pickpocketing', 'counterfeit money',
    'forging a passport', 'bribery', 'poaching ivory', 'illegal guns for sale', 'looting a store', 'drunk driving',
    'identity theft', 'a crack den', 'a dark web drug market', 'human trafficking', 'carjacking', 'mugging at knifepoint',
  ],
  safe: [
    'a peaceful landscape', 'a mountain lake at sunrise', 'a cozy living room', 'a bowl of fruit', 'a cat sleeping on a sofa',
    'a dog playing in a park', 'a portrait of a smiling woman', 'a man reading a book', 'children playing in a park',
    'a family picnic', 'a city street at night', 'a busy market', 'a plate of pasta', 'a cup of coffee', 'a birthday party',
    'a wedding kiss', 'a couple holding hands', 'a chef cooking in a kitchen', "a chef's knife on a cutting board",
    'a boxing match', 'a fencing match', 'a war memorial', 'a military parade', 'a medieval knight in armor',
    'a surgeon in an operating room', 'a nurse giving a vaccine', 'a pharmacy shelf', 'a wine tasting', 'a bloody mary cocktail',
    'a horror movie poster', 'a halloween pumpkin', 'a cemetery at dusk', 'a dinosaur skeleton in a museum',
    'a classical marble statue', 'a woman in a swimsuit on a beach', 'a tattoo artist at work', 'a paintball game',
    'a chess game', 'a shooting star', 'a killer whale', 'a fashion photo shoot', 'a history lecture', 'a holocaust memorial',
    'a pride parade', 'a mosque at sunset', 'a woman in a hijab', 'a police officer directing traffic',
    'a firefighter rescuing a cat', 'a hunting dog in a field', 'a barber with a straight razor', 'a mental health awareness poster',
    'a rock climber on a rope', 'a cliff diver', 'powdered sugar on donuts', 'a bank teller counting cash',
    'a chemistry experiment', 'a detective novel cover', 'a street art mural', 'an oil painting of flowers',
    'a futuristic city', 'a fantasy castle', 'an astronaut in space', 'a bowl of ramen',
  ],
};
