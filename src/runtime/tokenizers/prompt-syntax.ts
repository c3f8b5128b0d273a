/**
 * Prompt syntax, read the way diffusion backends read it, before a prompt is judged.
 *
 * AUTOMATIC1111 (modules/prompt_parser.py) and ComfyUI (comfy/sd1_clip.py) strip their syntax before the text
 * encoder sees the words, and some syntax makes the backend render text the plain string hides. Judging the
 * raw string would let the syntax change what the model reads ("(" and ":1.3" become tokens of their own for a
 * CLIP tokenizer) or hide words from it. What each form becomes here:
 *
 *   (text) (text:1.3) [text]      -> text            attention/emphasis: the words are rendered, with a weight
 *   [from:to:when] [to:when]      -> from to          prompt editing: both halves are rendered, one after the other
 *   [from::when]                  -> from
 *   [a|b|c]                       -> a b c            alternation: every option is rendered on some steps
 *   text AND other :0.8           -> text other       composable diffusion: every sub-prompt is rendered
 *   BREAK                         -> (removed)        starts a new 75-token chunk; the chunks are all rendered
 *   <lora:name:0.8> <lyco:..> <hypernet:..>  -> name  extra networks: the tag is removed by the backend, but the
 *                                                     network steers the image, so its name is judged as words
 *   embedding:name                -> name             ComfyUI textual-inversion reference, judged by its name
 *   \( \) \[ \] \:                -> ( ) [ ] :        escaped literals
 *   Portrait: a woman             -> Portrait: a woman  a colon outside brackets is text
 *
 * Weights are dropped, not applied: a word weighted 0.1 is still judged at full strength (fail closed).
 * Every word of the input stays in the output (only syntax characters, weights and the BREAK/AND keywords go),
 * so nothing the backend may render is lost. The scan is one pass over the text: linear time.
 */

const EXTRA_NETWORK = /<\s*(?:lora|lyco|locon|loha|hypernet|hypernetwork|lycoris)\s*:\s*([^:>]*)(?::[^>]*)?>/gi;
const EMBEDDING = /\bembedding:([^\s,()[\]<>|:]+)/gi;
const KEYWORDS = /\b(?:BREAK|AND)\b/g;
const ESCAPABLE = new Set(['(', ')', '[', ']', ':', '|', '\\']);
const SYNTAX = new Set(['(', ')', '[', ']', '|']);
const DIGIT = /[0-9]/;
/** What may follow a sub-prompt's weight: the end of the text or the next AND. */
const SUB_PROMPT_END = /\s*(?:$|AND\b)/y;

/** The words a backend renders for `text` (see the module comment). Plain text comes back unchanged. */
export function readPromptSyntax(text: string): string {
  // Fast path: nothing that could be syntax.
  if (!/[()[\]<>|:\\]|BREAK|AND/.test(text)) return text;
  const s = text.replace(EXTRA_NETWORK, (_m, name: string) => ` ${name.replace(/[_-]+/g, ' ')} `).replace(EMBEDDING, (_m, name: string) => ` ${name.replace(/[_-]+/g, ' ')} `);
  // One pass: escapes are literal, brackets and separators become spaces, a weight after a colon inside
  // brackets is dropped ("(word:1.3)", "[from:to:0.5]"), and so is a sub-prompt's weight at its end
  // ("a dog :0.8 AND ...", A1111's composable-diffusion weights). Any other colon outside brackets is literal
  // text, as A1111 reads it ("Portrait: a woman").
  let out = '';
  let depth = 0;
  for (let i = 0; i < s.length; i++) {
    const ch = s[i];
    if (ch === '\\' && i + 1 < s.length && ESCAPABLE.has(s[i + 1])) {
      out += s[++i];
    } else if (SYNTAX.has(ch)) {
      if (ch === '(' || ch === '[') depth++;
      else if ((ch === ')' || ch === ']') && depth > 0) depth--;
      out += ' ';
    } else if (ch === ':') {
      let j = i + 1;
      while (j < s.length && s[j] === ' ') j++;
      if (j < s.length && (s[j] === '-' || s[j] === '+')) j++;
      const digitsFrom = j;
      while (j < s.length && (DIGIT.test(s[j]) || s[j] === '.')) j++;
      const weight = j > digitsFrom;
      if (depth > 0) {
        out += ' ';
        if (weight) i = j - 1;
      } else if (weight && ((SUB_PROMPT_END.lastIndex = j), SUB_PROMPT_END.test(s))) {
        out += ' ';
        i = j - 1;
      } else {
        out += ch;
      }
    } else {
      out += ch;
    }
  }
  return out.replace(KEYWORDS, ' ').replace(/\s+/g, ' ').replace(/ ([,.;!?])/g, '$1').trim();
}
