package dev.usage.example;

import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A small rule-based corrector: common misspellings, doubled spaces, sentence capitals. */
final class Corrector {

  private static final Map<String, String> WORDS = Map.ofEntries(
      Map.entry("teh", "the"), Map.entry("realy", "really"), Map.entry("recieve", "receive"),
      Map.entry("libary", "library"), Map.entry("tomorow", "tomorrow"), Map.entry("allready", "already"),
      Map.entry("can not", "cannot"), Map.entry("their going", "they're going"),
      Map.entry("for there", "for their"), Map.entry("i", "I"));
  private static final Pattern WORD = Pattern.compile("\\b(can not|their going|for there|[A-Za-z]+)\\b");
  private static final Pattern SENTENCE_START = Pattern.compile("(^|[.!?]\\s+)([a-z])");

  private Corrector() {}

  static String correct(String text) {
    String spaced = text.replaceAll(" {2,}", " ").strip();
    Matcher m = WORD.matcher(spaced);
    StringBuilder b = new StringBuilder();
    while (m.find()) {
      String w = m.group(1);
      String fixed = WORDS.getOrDefault(w.toLowerCase(java.util.Locale.ROOT), w);
      m.appendReplacement(b, Matcher.quoteReplacement(w.equals("I") ? w : fixed));
    }
    m.appendTail(b);
    Matcher s = SENTENCE_START.matcher(b.toString());
    StringBuilder c = new StringBuilder();
    while (s.find()) {
      s.appendReplacement(c, Matcher.quoteReplacement(s.group(1) + s.group(2).toUpperCase(java.util.Locale.ROOT)));
    }
    s.appendTail(c);
    return c.toString();
  }
}
