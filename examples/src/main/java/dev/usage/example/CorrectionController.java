package dev.usage.example;

import jakarta.validation.Valid;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/** {@code POST /api/correct}: the service itself. */
@RestController
@RequestMapping("/api")
public class CorrectionController {

  private final CorrectionService service;

  public CorrectionController(CorrectionService service) {
    this.service = service;
  }

  @PostMapping("/correct")
  public Correction correct(@Valid @RequestBody CorrectionRequest request) {
    return service.correct(request);
  }
}
