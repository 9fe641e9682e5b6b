package dev.usage.example.browser;

import dev.usage.testkit.ServerAvailability;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.logging.Level;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * One headless Chromium (Debian's {@code /usr/bin/chromium}, driven by its own {@code /usr/bin/chromedriver}:
 * nothing is downloaded) with a fresh profile and its own download directory, pointed at the app under test.
 */
final class Browser implements AutoCloseable {

  static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
  private static final Duration WAIT = Duration.ofSeconds(10);
  /** Chromium's console line for an answer the tests provoke on purpose: a quota refusal or a forbidden page. */
  private static final Pattern REFUSED =
      Pattern.compile("Failed to load resource: the server responded with a status of (403|429) ");

  private final ChromeDriver driver;
  private final String baseUrl;
  private final Path profile;
  private final Path downloads;

  private Browser(ChromeDriver driver, String baseUrl, Path profile, Path downloads) {
    this.driver = driver;
    this.baseUrl = baseUrl;
    this.profile = profile;
    this.downloads = downloads;
  }

  /** Skips the test (or fails it when {@code USAGE_IT_REQUIRED=true}) unless Chromium and its driver are installed. */
  static void requireInstalled() {
    for (Path p : new Path[] {CHROMIUM, CHROMEDRIVER}) {
      ServerAvailability.require("Chromium's " + p, Files.isExecutable(p),
          p + " is missing: apt-get install chromium chromium-driver");
    }
  }

  /** Starts a browser whose downloads land in {@code downloads}, emptied first. */
  static Browser start(String baseUrl, Path downloads) {
    try {
      delete(downloads);
      Files.createDirectories(downloads);
      Path profile = Files.createTempDirectory("usage-chromium-");
      ChromeDriverService service = new ChromeDriverService.Builder()
          .usingDriverExecutable(CHROMEDRIVER.toFile())
          .usingAnyFreePort()
          .build();
      ChromeOptions options = new ChromeOptions();
      options.setBinary(CHROMIUM.toFile());
      // the background-networking flags keep Chromium from calling home, which this closed network refuses
      options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
          "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
          "--disable-sync", "--window-size=1280,1400", "--user-data-dir=" + profile);
      options.setExperimentalOption("prefs", Map.of(
          "download.default_directory", downloads.toAbsolutePath().toString(),
          "download.prompt_for_download", false,
          "safebrowsing.enabled", false));
      options.setCapability("goog:loggingPrefs", Map.of("browser", "ALL"));
      ChromeDriver driver = new ChromeDriver(service, options);
      // headless Chromium takes its download directory from DevTools, not always from the prefs
      driver.executeCdpCommand("Browser.setDownloadBehavior", Map.of(
          "behavior", "allow", "downloadPath", downloads.toAbsolutePath().toString()));
      return new Browser(driver, baseUrl, profile, downloads);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  WebDriver driver() {
    return driver;
  }

  Path downloads() {
    return downloads;
  }

  void open(String path) {
    driver.get(baseUrl + path);
  }

  /** Signs in on the form at /login and waits for the dashboard it leads to. */
  void signIn(String user, String password) {
    open("/login");
    find("#username").sendKeys(user);
    find("#password").sendKeys(password);
    find("button[type=submit]").click();
    until(ExpectedConditions.urlToBe(baseUrl + "/"));
  }

  WebElement find(String css) {
    return until(ExpectedConditions.presenceOfElementLocated(By.cssSelector(css)));
  }

  WebElement visible(String css) {
    return until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector(css)));
  }

  <T> T until(Function<? super WebDriver, T> condition) {
    return new WebDriverWait(driver, WAIT).until(condition);
  }

  /**
   * The page errors the console logged since the last call: uncaught exceptions, console.error calls and
   * resources that failed to load. Left out are only the refusals the tests provoke (429 and 403; the page
   * shows those itself) and the 404 of {@code /favicon.ico}, which Chromium asks for on its own and the app does
   * not serve. A script or stylesheet that is missing (a 404 of the ECharts WebJar) stays in.
   */
  List<String> scriptErrors() {
    String favicon = baseUrl + "/favicon.ico - ";
    return driver.manage().logs().get(LogType.BROWSER).getAll().stream()
        .filter(e -> e.getLevel().intValue() >= Level.SEVERE.intValue())
        .map(LogEntry::getMessage)
        .filter(m -> !REFUSED.matcher(m).find() && !m.startsWith(favicon))
        .toList();
  }

  /** Waits until ECharts has drawn the chart in the box with this id: the page marks it, and it holds an SVG with shapes. */
  WebElement chartDrawn(String id) {
    return find("#" + id + "[data-drawn] svg path");
  }

  /** Types {@code text} into the field, replacing what it held. */
  void type(String css, String text) {
    WebElement field = find(css);
    field.clear();
    field.sendKeys(text);
  }

  @Override
  public void close() throws IOException {
    try {
      driver.quit();
    } finally {
      delete(profile);
    }
  }

  private static void delete(Path dir) throws IOException {
    if (Files.exists(dir)) {
      try (Stream<Path> files = Files.walk(dir)) {
        files.sorted(Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
      }
    }
  }
}
