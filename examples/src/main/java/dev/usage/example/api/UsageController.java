package dev.usage.example.api;

import dev.usage.UsageEngine;
import java.security.Principal;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/** {@code /api/usage/*}: the signed-in user's own usage. */
@RestController
@RequestMapping("/api/usage")
public class UsageController {

  private final UsageEngine engine;

  public UsageController(UsageEngine engine) {
    this.engine = engine;
  }

  /** This period's usage of every quota of the signed-in user. */
  @GetMapping("/current")
  public CurrentUsage current(Principal user) {
    return CurrentUsage.of(engine.tracking().getUserUsage(user.getName()));
  }
}
