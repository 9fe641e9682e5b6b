package dev.usage.example;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.Valid;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/** {@code POST /api/correct}: the service itself. */
@RestController
@RequestMapping("/api")
@Tag(name = "correction", description = "The text-correction service, guarded by the quotas")
public class CorrectionController {

  private final CorrectionService service;

  public CorrectionController(CorrectionService service) {
    this.service = service;
  }

  @PostMapping("/correct")
  @Operation(summary = "Correct a text (charges characters, one request and tokens; 429 past a quota)")
  public Correction correct(@Valid @RequestBody CorrectionRequest request) {
    return service.correct(request);
  }
}
