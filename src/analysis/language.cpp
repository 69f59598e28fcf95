#include "analysis/language.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "analysis/text.hpp"

namespace ticketd::analysis {

namespace {

constexpr std::size_t kSampleBytes = 4000;
// No common word of LatinLanguages() is longer (in bytes): longer words of
// a text need no look-up.
constexpr std::size_t kLongestCommonWord = 16;

struct LatinLanguage {
  std::string_view code;
  std::string_view name;
  std::vector<std::string_view> words;
};

// The commonest short words of each language; words shared by several
// languages count for each of them, the distinctive ones decide.
const std::array<LatinLanguage, 10>& LatinLanguages() {
  static const std::array<LatinLanguage, 10> kLanguages = {{
      {"en",
       "English",
       {"the",   "and", "is",   "to",   "of",     "it",    "in",     "that",  "this",   "for",
        "with",  "not", "my",   "you",  "on",     "have",  "when",   "what",  "how",    "can",
        "be",    "are", "was",  "do",   "does",   "an",    "from",   "but",   "if",     "or",
        "there", "get", "want", "need", "please", "would", "should", "which", "we",     "our",
        "me",    "at",  "by",   "as",   "any",    "help",  "after",  "error", "working"}},
      {"es", "Spanish", {"el",   "los",         "las",      "que",        "en",    "un",
                         "una",  "es",          "no",       "por",        "para",  "con",
                         "mi",   "se",          "lo",       "del",        "al",    "como",
                         "pero", "est\xC3\xA1", "funciona", "cuando",     "tengo", "puedo",
                         "mis",  "hay",         "muy",      "desde",      "ayuda", "cuenta",
                         "hola", "quiero",      "gracias",  "qu\xC3\xA9", "veces"}},
      {"fr",
       "French",
       {"le",
        "les",
        "des",
        "et",
        "est",
        "un",
        "une",
        "je",
        "pas",
        "que",
        "pour",
        "dans",
        "ne",
        "en",
        "mon",
        "ma",
        "sur",
        "avec",
        "il",
        "ce",
        "qui",
        "\xC3\xA7"
        "a",
        "fonctionne",
        "mes",
        "vous",
        "nous",
        "depuis",
        "quand",
        "mais",
        "aide",
        "du",
        "au"}},
      {"de", "German", {"der",   "die",  "das",          "und",  "ist",   "nicht", "ich",  "ein",
                        "eine",  "zu",   "mit",          "den",  "von",   "es",    "auf",  "mein",
                        "meine", "wir",  "funktioniert", "kann", "sich",  "bei",   "auch", "nach",
                        "wenn",  "seit", "bitte",        "habe", "keine", "dem",   "im"}},
      {"pt", "Portuguese", {"os",    "as",    "de",         "que",    "n\xC3\xA3o",  "um",
                            "uma",   "do",    "da",         "para",   "com",         "meu",
                            "minha", "em",    "no",         "na",     "est\xC3\xA1", "funciona",
                            "por",   "se",    "isso",       "quando", "tenho",       "posso",
                            "ajuda", "conta", "voc\xC3\xAA"}},
      {"it", "Italian", {"il",  "lo",     "di",     "che", "non",   "un",    "una", "per",
                         "con", "mio",    "sono",   "del", "della", "nel",   "si",  "funziona",
                         "ma",  "questo", "quando", "ho",  "posso", "aiuto", "gli", "le"}},
      {"nl", "Dutch", {"de",   "het",  "een", "en",  "van",  "is",   "niet",  "ik",
                       "dat",  "op",   "te",  "met", "voor", "mijn", "werkt", "er",
                       "maar", "zijn", "wij", "kan", "bij",  "ook",  "geen",  "wordt"}},
      {"pl",
       "Polish",
       {"nie", "si\xC4\x99", "jest", "na", "to", "mam", "mnie", "jak", "ale", "czy", "moje",
        "mojego",
        "dzia\xC5\x82"
        "a",
        "prosz\xC4\x99", "po", "od", "ze", "przez"}},
      {"tr",
       "Turkish",
       {"bir", "ve", "bu", "i\xC3\xA7in", "ile", "de", "da", "ama", "\xC3\xA7ok", "hesab\xC4\xB1m",
        "yok", "var", "ne", "nas\xC4\xB1l",
        "l\xC3\xBC"
        "tfen",
        "olarak"}},
      {"sv",
       "Swedish",
       {"och", "det", "att", "som", "en", "\xC3\xA4r", "jag", "inte", "har", "med", "f\xC3\xB6r",
        "min", "mitt", "kan", "fungerar", "p\xC3\xA5", "av"}},
  }};
  return kLanguages;
}

// For each common word, the languages (bits by index in LatinLanguages())
// it belongs to: one hash lookup per word of the text.
const text::WordMap<std::uint32_t>& LanguagesOfWord() {
  static const auto kIndex = [] {
    text::WordMap<std::uint32_t> index(512);
    const auto& languages = LatinLanguages();
    for (std::size_t l = 0; l < languages.size(); ++l) {
      for (auto word : languages[l].words) {
        if (word.size() > kLongestCommonWord) std::abort();  // raise kLongestCommonWord
        index[word] |= 1U << l;
      }
    }
    return index;
  }();
  return kIndex;
}

// Next code point of UTF-8 text, advancing `i`; invalid bytes read as 0.
std::uint32_t NextCodePoint(std::string_view s, std::size_t& i) {
  const auto c = static_cast<unsigned char>(s[i]);
  std::size_t length = c < 0x80         ? 1
                       : (c >> 5) == 6  ? 2
                       : (c >> 4) == 14 ? 3
                       : (c >> 3) == 30 ? 4
                                        : 1;
  if (i + length > s.size()) length = 1;
  std::uint32_t cp = length == 1 ? (c < 0x80 ? c : 0) : c & (0x7F >> length);
  for (std::size_t k = 1; k < length; ++k)
    cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
  i += length;
  return cp;
}

struct ScriptCounts {
  std::size_t latin = 0, cyrillic = 0, ukrainian = 0, greek = 0, hebrew = 0, arabic = 0,
              devanagari = 0, thai = 0, kana = 0, hangul = 0, han = 0;
};

ScriptCounts CountScripts(std::string_view s) {
  ScriptCounts counts;
  // Most texts are all ASCII, where only Latin letters count: one pass
  // without branches, which the compiler vectorizes, tells both. In byte
  // arithmetic, (c | 0x20) - 'a' is at most 25 for ASCII letters only.
  std::size_t ascii_letters = 0;
  unsigned char high_bits = 0;
  for (char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    high_bits |= c & 0x80U;
    ascii_letters += static_cast<unsigned char>((c | 0x20U) - 'a') <= 'z' - 'a';
  }
  if (high_bits == 0) {
    counts.latin = ascii_letters;
    return counts;
  }
  for (std::size_t i = 0; i < s.size();) {
    if (const auto c = static_cast<unsigned char>(s[i]); c < 0x80) {
      // ASCII, most of any text: a Latin letter or nothing.
      if (text::IsAsciiLetter(static_cast<char>(c))) ++counts.latin;
      ++i;
      continue;
    }
    const auto cp = NextCodePoint(s, i);
    if ((cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z') || (cp >= 0xC0 && cp <= 0x24F)) {
      ++counts.latin;
    } else if (cp >= 0x400 && cp <= 0x4FF) {
      ++counts.cyrillic;
      if (cp == 0x456 || cp == 0x457 || cp == 0x454 || cp == 0x491) ++counts.ukrainian;
    } else if (cp >= 0x370 && cp <= 0x3FF) {
      ++counts.greek;
    } else if (cp >= 0x590 && cp <= 0x5FF) {
      ++counts.hebrew;
    } else if (cp >= 0x600 && cp <= 0x6FF) {
      ++counts.arabic;
    } else if (cp >= 0x900 && cp <= 0x97F) {
      ++counts.devanagari;
    } else if (cp >= 0xE00 && cp <= 0xE7F) {
      ++counts.thai;
    } else if (cp >= 0x3040 && cp <= 0x30FF) {
      ++counts.kana;
    } else if (cp >= 0xAC00 && cp <= 0xD7AF) {
      ++counts.hangul;
    } else if (cp >= 0x4E00 && cp <= 0x9FFF) {
      ++counts.han;
    }
  }
  return counts;
}

}  // namespace

LanguageGuess DetectLanguage(std::string_view input) {
  const auto sample = input.substr(0, std::min(input.size(), kSampleBytes));
  const auto scripts = CountScripts(sample);

  // Non-Latin letters: each script names its language (Han without kana is
  // Chinese; Cyrillic with і, ї, є or ґ is Ukrainian).
  const std::size_t cjk = scripts.kana + scripts.hangul + scripts.han;
  const std::size_t other = scripts.cyrillic + scripts.greek + scripts.hebrew + scripts.arabic +
                            scripts.devanagari + scripts.thai + cjk;
  if (other > 0 && other * 3 >= scripts.latin) {
    struct Candidate {
      std::size_t count;
      const char* code;
      const char* name;
    };
    const Candidate candidates[] = {
        {scripts.cyrillic, scripts.ukrainian > 0 ? "uk" : "ru",
         scripts.ukrainian > 0 ? "Ukrainian" : "Russian"},
        {scripts.greek, "el", "Greek"},
        {scripts.hebrew, "he", "Hebrew"},
        {scripts.arabic, "ar", "Arabic"},
        {scripts.devanagari, "hi", "Hindi"},
        {scripts.thai, "th", "Thai"},
        {scripts.kana > 0 ? cjk : 0, "ja", "Japanese"},
        {scripts.hangul > 0 && scripts.kana == 0 ? cjk : 0, "ko", "Korean"},
        {scripts.kana == 0 && scripts.hangul == 0 ? scripts.han : 0, "zh", "Chinese"},
    };
    const auto* best =
        std::max_element(std::begin(candidates), std::end(candidates),
                         [](const auto& a, const auto& b) { return a.count < b.count; });
    const double share = static_cast<double>(other) / static_cast<double>(other + scripts.latin);
    return {.code = best->code,
            .name = best->name,
            .confidence = std::min(0.99, 0.6 + 0.4 * share),
            .signals = {std::string("written in the script of ") + best->name}};
  }

  std::array<std::size_t, 10> hits{};
  const auto& languages = LatinLanguages();
  const auto& index = LanguagesOfWord();
  text::ForEachWord(sample, [&](std::string_view word) {
    if (word.size() > kLongestCommonWord) return;
    const auto* found = index.Find(word);
    if (found == nullptr) return;
    for (std::size_t l = 0; l < languages.size(); ++l) {
      if ((*found >> l) & 1U) ++hits[l];
    }
  });
  const auto best =
      static_cast<std::size_t>(std::max_element(hits.begin(), hits.end()) - hits.begin());
  std::size_t total = 0;
  for (auto h : hits)
    total += h;
  if (hits[best] < 2 || hits[best] == hits[0]) {
    // Too few common words to tell, or English ties: English is assumed.
    const double confidence = hits[0] >= 2 ? std::min(0.95, 0.5 + 0.05 * hits[0]) : 0.3;
    return {.code = "en",
            .name = "English",
            .confidence = confidence,
            .signals = {hits[0] >= 2 ? std::to_string(hits[0]) + " common English words"
                                     : "too few words to tell; English assumed"}};
  }
  const double share = static_cast<double>(hits[best]) / static_cast<double>(total);
  return {.code = std::string(languages[best].code),
          .name = std::string(languages[best].name),
          .confidence = std::min(0.95, 0.3 + 0.5 * share + 0.02 * static_cast<double>(hits[best])),
          .signals = {std::to_string(hits[best]) + " common " + std::string(languages[best].name) +
                      " words"}};
}

}  // namespace ticketd::analysis
