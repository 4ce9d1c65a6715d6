using SuccessPlans.Features.Students;
using SuccessPlans.Web.Hosting;

namespace SuccessPlans.Tests.Web;

/// <summary>
/// The change lists inside stored history details (a need's, a roster import's, a delivery's correction, an outcome's
/// note) and a referral's event notes, as rows hold them (English, old rows too), read in the reader's language; the
/// family's and staff's own words stay as typed.
/// </summary>
public class HistoryTextsTests
{
    private static string Read(string language, string action, string details)
    {
        using var _ = Languages.Use(language);
        return CoreText.Show(HistoryDetails.Read(action, details));
    }

    private static string Note(string language, string? note)
    {
        using var _ = Languages.Use(language);
        return CoreText.Show(HistoryDetails.ReadReferralNote(note));
    }

    public static TheoryData<string, string, string, string> Details => new()
    {
        // A need's changes: a status and a priority by their enum names, read as labels (a need's "(…)" stays its own).
        { "need updated", "Academic: Reading (decoding) (status Open → ClosedUnmet, goal changed, priority Low → High)",
            "Academic: Reading (decoding) (status open → closed, unmet, goal changed, priority low → high)",
            "Académico: Reading (decoding) (estado abierta → cerrada, no atendida, meta cambiada, prioridad baja → alta)" },
        // A roster import's changes, "; " between them; a school's and a guardian's own names stay, a language code reads as its name.
        { "changed by roster import", "roster upload #4: school Escuela Sur → Escuela Norte; grade 03 → 04; preferred name none → Anita; home language en → es; guardian Rosa Ruiz, rosa@example.test → none",
            "roster upload #4: school Escuela Sur → Escuela Norte; grade 03 → 04; preferred name none → Anita; home language English → Spanish; guardian Rosa Ruiz, rosa@example.test → none",
            "archivo de padrón subido n.º 4: escuela Escuela Sur → Escuela Norte; grado 03 → 04; nombre preferido sin dato → Anita; idioma del hogar inglés → español; tutor Rosa Ruiz, rosa@example.test → sin dato" },
        // From the command line: no upload's number before the changes. A day stored as yyyy-MM-dd reads as the reader writes dates.
        { "changed by roster import", "birth date 2015-03-01 → 2015-03-02; local id 881 → 882",
            "birth date Mar 1, 2015 → Mar 2, 2015; local id 881 → 882", "fecha de nacimiento 1 mar 2015 → 2 mar 2015; id local 881 → 882" },
        // A delivery corrected or removed: the amounts in the reader's words, the reason as typed.
        { "delivery corrected", "Referral #7: Delivery of 2026-11-01, 3 sessions corrected to 2026-11-02, 1 session: wrong day",
            "Referral #7: Delivery of Nov 1, 2026, 3 sessions corrected to Nov 2, 2026, 1 session: wrong day",
            "Remisión n.º 7: servicio registrado del 1 nov 2026, 3 sesiones corregido a 2 nov 2026, 1 sesión: wrong day" },
        { "delivery corrected", "Referral #7: Delivery of 2026-11-01, 45 minutes removed: entered twice",
            "Referral #7: Delivery of Nov 1, 2026, 45 minutes removed: entered twice",
            "Remisión n.º 7: servicio registrado del 1 nov 2026, 45 minutos eliminado: entered twice" },
        // An outcome's words before the provider's note; an old row written by a Spanish-speaking provider reads in English too.
        { "referral declined", "Referral #8: no capacity: full until May", "Referral #8: no capacity: full until May", "Remisión n.º 8: sin cupo: full until May" },
        { "referral closed unsuccessfully", "Referral #9: sin cupo", "Referral #9: no capacity", "Remisión n.º 9: sin cupo" },
        { "referral withdrawn", "Referral #10: family moved: no longer here", "Referral #10: family moved: no longer here", "Remisión n.º 10: family moved: no longer here" },
        // "referral sent" keeps its own shape (not a status change's).
        { "referral sent", "Tutoring (Bright Eyes) for the need: Reading (consent of Rosa Lopez, 2026-10-01)",
            "Tutoring (Bright Eyes) for the need: Reading (consent of Rosa Lopez, Oct 1, 2026)",
            "Tutoring (Bright Eyes) para la necesidad: Reading (consentimiento de Rosa Lopez, 1 oct 2026)" },
        // An older row's next review: the day alone.
        { "next review set", "2026-12-01", "Dec 1, 2026", "1 dic 2026" },
        { "next review set", "none", "none", "ninguna" },
    };

    [Theory]
    [MemberData(nameof(Details))]
    public void A_change_list_reads_in_the_readers_language(string action, string stored, string english, string spanish)
    {
        Assert.Equal(english, Read("en", action, stored));
        Assert.Equal(spanish, Read("es", action, stored));
    }

    [Fact]
    public void A_text_of_no_known_shape_shows_as_stored()
    {
        Assert.Equal("status Open → Somewhere (x)", Read("es", "need updated", "status Open → Somewhere (x)"));
        Assert.Equal("colour blue → red", Read("es", "changed by roster import", "colour blue → red"));
    }

    [Theory]
    [InlineData("No answer within the tenant's window", null, "Sin respuesta dentro del plazo del cliente")]
    [InlineData("Admin override: family asked in person", null, "Excepción del administrador: family asked in person")]
    [InlineData("Delivery of 2026-11-01, 3 sessions removed: entered twice", "Delivery of Nov 1, 2026, 3 sessions removed: entered twice", "Servicio registrado del 1 nov 2026, 3 sesiones eliminado: entered twice")]
    [InlineData("Delivery of 2026-11-01, 1 minute corrected to 2026-11-01, 30 minutes: typo", "Delivery of Nov 1, 2026, 1 minute corrected to Nov 1, 2026, 30 minutes: typo", "Servicio registrado del 1 nov 2026, 1 minuto corregido a 1 nov 2026, 30 minutos: typo")]
    [InlineData("not eligible: over the age limit", null, "no cumple los requisitos: over the age limit")]
    [InlineData("Called twice, no answer", null, "Called twice, no answer")]
    public void A_referrals_event_note_reads_in_the_readers_language(string stored, string? english, string spanish)
    {
        Assert.Equal(english ?? stored, Note("en", stored));
        Assert.Equal(spanish, Note("es", stored));
        Assert.Equal("", Note("es", null));
    }
}
