package dev.usage.example;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The built-in corrector standing in for the LLM: common misspellings, doubled spaces and sentence
 * capitals. Each change is reported as what was replaced by what.
 */
final class Corrector {

  /** The tokens of the instruction an LLM call would wrap around the text ("Correct this text: ..."). */
  static final int INSTRUCTION_TOKENS = 12;

  private static final Map<String, String> WORDS = Map.ofEntries(
      Map.entry("teh", "the"), Map.entry("realy", "really"), Map.entry("recieve", "receive"),
      Map.entry("libary", "library"), Map.entry("tomorow", "tomorrow"), Map.entry("allready", "already"),
      Map.entry("definately", "definitely"), Map.entry("seperate", "separate"), Map.entry("occured", "occurred"),
      Map.entry("untill", "until"), Map.entry("wich", "which"), Map.entry("becuase", "because"),
      Map.entry("can not", "cannot"), Map.entry("their going", "they're going"),
      Map.entry("for there", "for their"), Map.entry("i", "I"));
  private static final Pattern WORD = Pattern.compile("\\b(can not|their going|for there|[A-Za-z]+)\\b");
  private static final Pattern SENTENCE_START = Pattern.compile("(^|[.!?]\\s+)([a-z][A-Za-z']*)");

  private Corrector() {}

  /** One change: {@code from} became {@code to}. */
  record Change(String from, String to) {}

  /** The corrected text and the changes made. */
  record Result(String text, List<Change> changes) {}

  static Result correct(String text) {
    List<Change> changes = new ArrayList<>();
    String spaced = text.replaceAll("[ \\t]{2,}", " ").strip();
    if (!spaced.equals(text)) {
      changes.add(new Change("extra spaces", "single spaces"));
    }
    Matcher m = WORD.matcher(spaced);
    StringBuilder b = new StringBuilder();
    while (m.find()) {
      String w = m.group(1);
      String fixed = WORDS.getOrDefault(w.toLowerCase(Locale.ROOT), w);
      if (!fixed.equals(w) && !w.equals("I")) {
        changes.add(new Change(w, fixed));
        m.appendReplacement(b, Matcher.quoteReplacement(fixed));
      } else {
        m.appendReplacement(b, Matcher.quoteReplacement(w));
      }
    }
    m.appendTail(b);
    Matcher s = SENTENCE_START.matcher(b.toString());
    StringBuilder c = new StringBuilder();
    while (s.find()) {
      String word = s.group(2);
      String upper = word.substring(0, 1).toUpperCase(Locale.ROOT) + word.substring(1);
      changes.add(new Change(word, upper));
      s.appendReplacement(c, Matcher.quoteReplacement(s.group(1) + upper));
    }
    s.appendTail(c);
    return new Result(c.toString(), List.copyOf(changes));
  }
}
