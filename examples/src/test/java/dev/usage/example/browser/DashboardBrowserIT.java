package dev.usage.example.browser;

import static org.assertj.core.api.Assertions.assertThat;

import dev.usage.example.TextCorrectionApplication;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.openqa.selenium.By;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * The dashboard in a real browser (headless Chromium), against the example app on H2 as the README runs it:
 * alice corrects texts until her character quota turns the header's indicator yellow, then red, then is
 * refused; an admin raises her limit in a second browser and her open page turns green through the live
 * feed; her CSV export holds every correction she made. Screenshots of each step go to
 * {@code target/screenshots/}.
 */
@SpringBootTest(classes = TextCorrectionApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT,
    properties = {
        // a database of its own: other tests of this JVM may have used alice's quota in the default one
        "spring.datasource.url=jdbc:h2:mem:dashboard-browser-it;DB_CLOSE_DELAY=-1"})
// in this order only so that the screenshots are numbered in the order of the steps
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DashboardBrowserIT {

  private static final Path TARGET = Path.of("target");
  private static final Screenshots SHOTS = new Screenshots(TARGET.resolve("screenshots"));

  /** Alice's free tier: 2,000 characters a month. These lengths reach 80 % on the third text and 100 % on the fourth. */
  private static final List<Integer> SERVED = List.of(700, 500, 400, 400);
  private static final int REFUSED = 250;

  @LocalServerPort
  int port;

  // per test, not @BeforeAll: a class aborted before its first test is reported as zero tests, hiding why
  @BeforeEach
  void chromium() {
    Browser.requireInstalled();
  }

  @Test
  @Order(1)
  void quotaGoesYellowRedIsRaisedLiveAndEveryCorrectionIsExported() throws IOException {
    Path downloads = TARGET.resolve("downloads").resolve("alice");
    try (Browser alice = Browser.start(baseUrl(), downloads);
        Browser admin = Browser.start(baseUrl(), TARGET.resolve("downloads").resolve("admin"))) {
      signsInGreen(alice);
      correctsUntilRedThenIsRefused(alice);
      turnsGreenLiveWhenTheAdminRaisesHerLimit(alice, admin);
      exportsEveryCorrection(alice, downloads);

      assertThat(alice.scriptErrors()).as("alice's console").isEmpty();
      assertThat(admin.scriptErrors()).as("the admin's console").isEmpty();
    }
  }

  /** Step 1: alice signs in; her quotas, all green, the live feed open, the indicator's breakdown. */
  private static void signsInGreen(Browser alice) {
    alice.signIn("alice", "alice-password");
    alice.find("html[data-live='open']");
    alice.find("quota-indicator[data-level='green']");
    alice.find(".quota-card[data-quota='characters'][data-used='0'][data-limit='2000']");
    assertThat(alice.driver().findElements(By.cssSelector(".quota-card"))).hasSize(4);
    alice.chartDrawn("daily-chart");
    alice.chartDrawn("trend-chart");
    SHOTS.take(alice.driver(), "step1-alice-dashboard-green");
    alice.find("quota-indicator .qi-toggle").click();
    alice.visible("quota-indicator .qi-panel .qi-row[data-quota='characters'][data-level='green']");
    SHOTS.take(alice.driver(), "step1-alice-indicator-breakdown");
    alice.find("quota-indicator .qi-toggle").click();
    alice.until(ExpectedConditions.invisibilityOfElementLocated(By.cssSelector("quota-indicator .qi-panel")));
  }

  /** Step 2: corrections until yellow (1,600 of 2,000 = 80 %), then red (2,000), then a 429 shown on the page. */
  private static void correctsUntilRedThenIsRefused(Browser alice) {
    int used = 0;
    for (int i = 0; i < SERVED.size(); i++) {
      int length = SERVED.get(i);
      correct(alice, text(length));
      used += length;
      alice.find("#correct-result[data-count='" + (i + 1) + "'] #correct-cost[data-characters='" + length + "']");
      alice.find(".quota-card[data-quota='characters'][data-used='" + used + "']");
      String level = used >= 2000 ? "red" : used >= 1600 ? "yellow" : "green";
      alice.find("quota-indicator[data-level='" + level + "']");
      if (!level.equals("green")) {
        alice.find(".banner[data-level='" + level + "'][data-quota='characters']");
        SHOTS.take(alice.driver(), "step2-alice-" + level + "-after-" + used + "-characters");
      }
    }
    assertThat(alice.find("#corrected-text").getText()).startsWith("I really think the library");
    correct(alice, text(REFUSED));
    String refusal = alice.visible("#correct-error[data-status='429']").getText();
    assertThat(refusal).contains("Quota exceeded").contains("characters");
    assertThat(alice.find("#correct-result").isDisplayed()).isFalse();
    alice.find(".quota-card[data-quota='characters'][data-used='2000']");
    SHOTS.take(alice.driver(), "step2-alice-refused-429");
  }

  /** Step 3: the admin raises alice's character limit; her open page turns green without a reload. */
  private static void turnsGreenLiveWhenTheAdminRaisesHerLimit(Browser alice, Browser admin) {
    admin.signIn("admin", "admin-password");
    admin.open("/admin.html");
    admin.find("#users-table tr[data-user='alice'][data-level='red']");
    admin.chartDrawn("peak-chart");
    admin.type("#change-user", "alice");
    admin.type("#limit-characters", "5000");
    admin.type("#change-reason", "Browser test: alice needs room for the rest of the month");
    SHOTS.take(admin.driver(), "step3-admin-change-form-filled");
    admin.find("#change-submit").click();
    admin.visible("#change-result[data-status='ok']");
    admin.find("#users-table tr[data-user='alice'][data-level='green']");
    SHOTS.take(admin.driver(), "step3-admin-quota-raised");

    alice.find("quota-indicator[data-level='green']");
    alice.find(".quota-card[data-quota='characters'][data-level='green'][data-limit='5000'][data-used='2000']");
    assertThat(alice.driver().findElements(By.cssSelector(".banner"))).isEmpty();
    assertThat(alice.find("#correct-error").isDisplayed()).as("the refusal, outdated by the new limit").isFalse();
    SHOTS.take(alice.driver(), "step3-alice-green-again-live");
  }

  /**
   * Step 4: alice's CSV export of the month has one row per correction, the refused one included; the
   * analytics filters agree with it.
   */
  private static void exportsEveryCorrection(Browser alice, Path downloads) throws IOException {
    alice.open("/analytics.html");
    // the events are written in the background: the page counting all five means the export will too
    alice.find("#summary-events[data-value='" + (SERVED.size() + 1) + "']");
    alice.chartDrawn("compare-chart");
    SHOTS.take(alice.driver(), "step4-alice-analytics");
    alice.find("#export-csv").click();
    Path csv = alice.until(d -> downloaded(downloads, ".csv").orElse(null));
    List<List<String>> records = Csv.parse(Files.readString(csv, StandardCharsets.UTF_8));
    List<String> header = records.get(0);
    List<Map<String, String>> rows = records.subList(1, records.size()).stream()
        .map(r -> row(header, r))
        .sorted(Comparator.comparing(r -> Instant.parse(r.get("occurredAt"))))
        .toList();
    assertThat(rows).hasSize(SERVED.size() + 1);
    assertThat(rows).extracting(r -> r.get("userId")).containsOnly("alice");
    assertThat(rows).extracting(r -> r.get("feature")).containsOnly("text-correction");
    assertThat(rows).extracting(r -> Integer.parseInt(r.get("characters")))
        .as("the refused call did not run: it used no characters").containsExactly(700, 500, 400, 400, 0);
    assertThat(rows).extracting(r -> r.get("success")).containsExactly("true", "true", "true", "true", "false");
    assertThat(rows.get(SERVED.size()).get("errorCode")).isEqualTo("quota_exceeded");

    long tokens = rows.stream()
        .mapToLong(r -> Long.parseLong(r.get("inputTokens")) + Long.parseLong(r.get("outputTokens"))).sum();
    assertThat(tokens).isPositive();
    new Select(alice.find("#quota-type")).selectByValue("tokens");
    // the page refills the feature list when the type's figures arrive: choose from the refilled one, and
    // again should it be refilled between finding an option and clicking it
    alice.find("#summary-units[data-type='tokens'][data-feature='']");
    String figures = "#summary-units[data-type='tokens'][data-feature='text-correction'][data-value='" + tokens + "']";
    alice.until(d -> {
      try {
        new Select(d.findElement(By.id("feature"))).selectByValue("text-correction");
        return d.findElements(By.cssSelector(figures)).isEmpty() ? null : true;
      } catch (StaleElementReferenceException e) {
        return null;
      }
    });
    SHOTS.take(alice.driver(), "step4-alice-analytics-tokens-of-text-correction");
  }

  @Test
  @Order(2)
  void adminPageAndAdminApiAreRefusedToAlice() throws IOException {
    try (Browser alice = Browser.start(baseUrl(), TARGET.resolve("downloads").resolve("alice-refused"))) {
      alice.signIn("alice", "alice-password");
      alice.find("quota-indicator[data-level]");
      assertThat(alice.driver().findElements(By.cssSelector("nav a[href='/admin.html']")))
          .allSatisfy(a -> assertThat(a.isDisplayed()).isFalse());

      alice.open("/admin.html");
      alice.find("body");
      assertThat(alice.driver().findElements(By.id("change-form"))).isEmpty();
      assertThat(alice.driver().getPageSource()).as("an error page, not a problem body").contains("403")
          .doesNotContain("\"status\":403");
      SHOTS.take(alice.driver(), "extra-alice-refused-admin-page");

      alice.open("/api/admin/usage/users");
      assertThat(alice.find("body").getText()).contains("\"status\":403").contains("ADMIN");
    }
  }

  private static void correct(Browser browser, String text) {
    browser.type("#correct-text", text);
    browser.find("#correct-submit").click();
  }

  /** A text of exactly {@code length} characters with misspellings for the corrector to fix. */
  private static String text(int length) {
    String sentence = "i realy think teh libary opens tomorow, becuase it was definately closed today. ";
    String t = sentence.repeat(length / sentence.length() + 1).substring(0, length);
    return t.endsWith(" ") ? t.substring(0, length - 1) + "." : t;
  }

  private static Map<String, String> row(List<String> header, List<String> record) {
    assertThat(record).as("cells of %s", record).hasSameSizeAs(header);
    Map<String, String> row = new HashMap<>();
    for (int i = 0; i < header.size(); i++) {
      row.put(header.get(i), record.get(i));
    }
    return row;
  }

  /** The finished download with this extension, once Chromium has renamed it from its partial name. */
  private static Optional<Path> downloaded(Path dir, String extension) {
    try (Stream<Path> files = Files.list(dir)) {
      return files.filter(p -> p.getFileName().toString().endsWith(extension)).findFirst();
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  private String baseUrl() {
    return "http://localhost:" + port;
  }
}
