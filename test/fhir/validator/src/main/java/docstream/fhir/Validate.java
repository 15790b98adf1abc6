package docstream.fhir;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.context.support.DefaultProfileValidationSupport;
import ca.uhn.fhir.validation.FhirValidator;
import ca.uhn.fhir.validation.ResultSeverityEnum;
import ca.uhn.fhir.validation.SingleValidationMessage;
import ca.uhn.fhir.validation.ValidationResult;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.hl7.fhir.common.hapi.validation.support.CommonCodeSystemsTerminologyService;
import org.hl7.fhir.common.hapi.validation.support.InMemoryTerminologyServerValidationSupport;
import org.hl7.fhir.common.hapi.validation.support.SnapshotGeneratingValidationSupport;
import org.hl7.fhir.common.hapi.validation.support.ValidationSupportChain;
import org.hl7.fhir.common.hapi.validation.validator.FhirInstanceValidator;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.Bundle;

/**
 * Validates FHIR R4 JSON resources (files named on the command line, or one on standard input)
 * against the base R4 structure definitions, offline: the R4 core definitions and value sets,
 * an in-memory terminology service for the value sets that ship with them, and the code systems
 * HAPI knows without a server (UCUM, BCP-47 languages, BCP-13 mime types, ISO 3166 and 4217).
 * Prints one JSON object (counts and every message) and exits 1 when any message is an error.
 */
public final class Validate {
  private Validate() {}

  public static void main(String[] args) throws IOException {
    FhirContext context = FhirContext.forR4();
    ValidationSupportChain support =
        new ValidationSupportChain(
            new DefaultProfileValidationSupport(context),
            new SnapshotGeneratingValidationSupport(context),
            new InMemoryTerminologyServerValidationSupport(context),
            new CommonCodeSystemsTerminologyService(context));
    FhirInstanceValidator instanceValidator = new FhirInstanceValidator(support);
    // Codes of systems no offline service knows (LOINC, ICD-10) are reported, not failed.
    instanceValidator.setNoTerminologyChecks(false);
    FhirValidator validator = context.newValidator().registerValidatorModule(instanceValidator);

    ObjectMapper json = new ObjectMapper();
    ObjectNode report = json.createObjectNode();
    ArrayNode files = report.putArray("files");
    int resources = 0;
    int errors = 0;
    int warnings = 0;
    int information = 0;
    for (String name : args.length == 0 ? new String[] {"-"} : args) {
      String text =
          name.equals("-")
              ? new String(System.in.readAllBytes(), StandardCharsets.UTF_8)
              : Files.readString(Path.of(name));
      IBaseResource resource = context.newJsonParser().parseResource(text);
      ValidationResult result = validator.validateWithResult(resource);
      ObjectNode file = files.addObject();
      file.put("file", name);
      file.put("resource", resource.fhirType() + "/" + resource.getIdElement().getIdPart());
      int count = 1 + (resource instanceof Bundle bundle ? bundle.getEntry().size() : 0);
      file.put("resources", count);
      resources += count;
      ArrayNode messages = file.putArray("messages");
      for (SingleValidationMessage message : result.getMessages()) {
        ResultSeverityEnum severity = message.getSeverity();
        switch (severity) {
          case ERROR, FATAL -> errors++;
          case WARNING -> warnings++;
          default -> information++;
        }
        ObjectNode entry = messages.addObject();
        entry.put("severity", severity.getCode());
        entry.put("location", message.getLocationString());
        entry.put("messageId", message.getMessageId());
        entry.put("message", message.getMessage());
      }
    }
    report.put("resources", resources);
    report.put("errors", errors);
    report.put("warnings", warnings);
    report.put("information", information);
    System.out.println(json.writerWithDefaultPrettyPrinter().writeValueAsString(report));
    System.exit(errors > 0 ? 1 : 0);
  }
}
