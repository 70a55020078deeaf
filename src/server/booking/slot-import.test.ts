import { describe, expect, it } from "vitest";
import { splitCsvLine } from "./slot-import";

describe("splitCsvLine", () => {
  it.each([
    ["plain cells", "yoga,2030-01-08,10:00,5", ["yoga", "2030-01-08", "10:00", "5"]],
    ["an empty trailing cell", "yoga,2030-01-08,10:00,", ["yoga", "2030-01-08", "10:00", ""]],
    ["empty cells in the middle", "a,,b", ["a", "", "b"]],
    ["an empty line", "", [""]],
    ["spaces kept as they are", " a , b ", [" a ", " b "]],
    ["a quoted cell", '"yoga",2030-01-08', ["yoga", "2030-01-08"]],
    ["a comma inside quotes", '"Yoga, morning",10:00', ["Yoga, morning", "10:00"]],
    ["a doubled quote inside quotes", '"say ""hi""",x', ['say "hi"', "x"]],
    ["an empty quoted cell", '"",x', ["", "x"]],
    ["quotes around part of a cell", 'ab"c,d"e,f', ["abc,de", "f"]],
    ["an unterminated quote (runs to the end)", '"a,b', ["a,b"]],
  ])("splits %s", (_case, line, cells) => {
    expect(splitCsvLine(line)).toEqual(cells);
  });
});
