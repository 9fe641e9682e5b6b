package dev.usage.example;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class CorrectorTest {

  @Test
  void fixesMisspellingsSpacesAndSentenceCapitalsAndListsEachChange() {
    Corrector.Result r = Corrector.correct("i realy like teh libary.  it is good");

    assertThat(r.text()).isEqualTo("I really like the library. It is good");
    assertThat(r.changes()).containsExactly(new Corrector.Change("extra spaces", "single spaces"),
        new Corrector.Change("i", "I"), new Corrector.Change("realy", "really"), new Corrector.Change("teh", "the"),
        new Corrector.Change("libary", "library"), new Corrector.Change("it", "It"));
  }

  @Test
  void leavesACorrectTextAsItIs() {
    Corrector.Result r = Corrector.correct("The library is ready. It works.");

    assertThat(r.text()).isEqualTo("The library is ready. It works.");
    assertThat(r.changes()).isEmpty();
  }

  @Test
  void countsTokensWithTheCl100kEncodingAndReservesThePromptTwice() {
    TokenCounter tokens = new TokenCounter();

    // "hello world" is two tokens in cl100k_base
    assertThat(tokens.count("hello world")).isEqualTo(2);
    assertThat(tokens.estimate("hello world")).isEqualTo(2L * (2 + Corrector.INSTRUCTION_TOKENS));
  }
}
