/**
 * @module pipeline/plots/font
 * A 5×7 bitmap font for text in PNG plots: capitals, digits and common punctuation. Lower-case
 * letters are drawn as capitals; characters it lacks are drawn as a hollow box. Each glyph is seven
 * rows, top to bottom, of five pixels; a row is one base-32 digit whose bits, most significant
 * first, are the pixels from left to right.
 */

/** Width and height of a glyph in font pixels; each character advances one column more. */
export const GLYPH_WIDTH = 5;
export const GLYPH_HEIGHT = 7;
export const ADVANCE = GLYPH_WIDTH + 1;

const CHARACTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.,:;-_+=/\\()[]%#'\"!?<>*&@|~^{}$·";
const ROWS = (
  "ehhvhhh uhhuhhu ehggghe uhhhhhu vgguggv vgguggg ehgnhhf hhhvhhh e44444e 72222ic hikokih ggggggv " +
  "hrllhhh hhpljhh ehhhhhe uhhuggg ehhhlid uhhukih fgge11u v444444 hhhhhhe hhhhha4 hhhllla hha4ahh " +
  "hha4444 v1248gv ehjlphe 4c4444e eh1248v u11e11u 26aiv22 vgu11he 68guhhe v124888 ehhehhe ehhf12c " +
  "00000cc 0000c48 0cc0cc0 0cc0c48 000v000 000000v 044v440 00v0v00 11248gg gg84211 2488842 8422248 " +
  "e88888e e22222e op248j3 aavavaa 4480000 aaa0000 4444404 eh12404 248g842 8421248 04lel40 cik8lid " +
  "ehnlnge 4444444 008l200 4ah0000 3448443 o44244o 4fke5u4 0004000"
).split(" ");

const MISSING = "vhhhhhv";
const GLYPHS = new Map<string, string>([...CHARACTERS].map((character, index) => [character, ROWS[index]!]));

/** The seven row masks (bit 4 = leftmost pixel) of `character`; space is empty. */
export function glyphRows(character: string): number[] {
  if (character === " ") return [0, 0, 0, 0, 0, 0, 0];
  const code = GLYPHS.get(character) ?? GLYPHS.get(character.toUpperCase()) ?? MISSING;
  return [...code].map((digit) => Number.parseInt(digit, 32));
}
