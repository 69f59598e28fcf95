// Small text helpers of the analyzer: lines, words, trimming. ASCII case
// folding only; bytes of multi-byte UTF-8 sequences count as letters so that
// words of other languages stay whole.
#pragma once

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

namespace ticketd::analysis::text {

// ASCII letters and every byte of a multi-byte UTF-8 sequence. Inline: the
// analyzer asks this of every byte several times.
inline bool IsWordByte(unsigned char c) {
  const unsigned folded = c | 0x20U;
  return (folded >= 'a' && folded <= 'z') || c >= 0x80;
}
inline bool IsAsciiLetter(char c) {
  const unsigned folded = static_cast<unsigned char>(c) | 0x20U;
  return folded >= 'a' && folded <= 'z';
}

inline bool IsAsciiDigit(char c) {
  return c >= '0' && c <= '9';
}
inline bool IsAsciiAlnum(char c) {
  return IsAsciiLetter(c) || IsAsciiDigit(c);
}
// The bytes std::isspace accepts in the C locale.
inline bool IsAsciiSpace(char c) {
  return c == ' ' || (c >= '\t' && c <= '\r');
}

// Longer runs of letters are not words (hashes, base64).
inline constexpr std::size_t kMaxWordBytes = 24;

// `s` without leading and trailing ASCII whitespace. Inline, like the
// helpers below: called for nearly every line and word.
inline std::string_view Trim(std::string_view s) {
  std::size_t first = 0;
  std::size_t last = s.size();
  while (first < last && IsAsciiSpace(s[first]))
    ++first;
  while (last > first && IsAsciiSpace(s[last - 1]))
    --last;
  return s.substr(first, last - first);
}
std::string Lower(std::string_view s);
inline bool StartsWith(std::string_view s, std::string_view prefix) {
  return s.starts_with(prefix);
}
inline bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.ends_with(suffix);
}

// Lines without their terminators ("\n" or "\r\n").
std::vector<std::string_view> Lines(std::string_view s);

// Lower-cased words: runs of letters (ASCII or non-ASCII bytes), with
// apostrophes dropped ("don't" -> "dont"). Digits and punctuation separate.
std::vector<std::string> Words(std::string_view s);

// Calls `visit(word)` for each word of `s`, as Words would list them; the
// view is valid only during the call. Allocates nothing.
template <class Visit>
void ForEachWord(std::string_view s, Visit&& visit) {
  char word[kMaxWordBytes];
  std::size_t size = 0;
  std::size_t length = 0;  // the run's length, which may exceed the buffer
  auto flush = [&] {
    if (length >= 2 && length <= kMaxWordBytes) visit(std::string_view(word, size));
    size = 0;
    length = 0;
  };
  for (std::size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (IsWordByte(c)) {
      if (size < kMaxWordBytes) word[size++] = static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c);
      ++length;
    } else if (c == '\'' && length > 0 && i + 1 < s.size() && IsAsciiLetter(s[i + 1])) {
      continue;  // don't -> dont
    } else {
      flush();
    }
  }
  flush();
}

// Stem(word) without allocating: a view of `word` or of `buffer` (at least
// word.size() + 1 bytes).
std::string_view StemView(std::string_view word, char* buffer);

// A light suffix stripper so that "crashes", "crashed" and "crashing" meet.
std::string Stem(std::string_view word);

// `s` with every invalid UTF-8 sequence replaced by U+FFFD, so that
// everything cut from it can be written as JSON.
std::string ValidUtf8(std::string_view s);

// Number of UTF-8 code points.
std::size_t CodePoints(std::string_view s);

// At most `max_chars` code points of `s`, cut at a word boundary where one
// lies in the last third, with trailing punctuation removed.
std::string Shorten(std::string_view s, std::size_t max_chars);

// Whitespace runs collapsed to one space, trimmed; the bytes of `drop`
// (Markdown marks, say) left out.
std::string Squeeze(std::string_view s, std::string_view drop = {});

// Whether the lower-cased `haystack` contains `needle` starting and ending
// at word boundaries.
bool ContainsPhrase(std::string_view haystack, std::string_view needle);

// A fixed set of case-sensitive marks looked for anywhere in a line, in
// one pass: only bytes that start some mark are compared, and only with the
// marks that start with that byte. Build once (a function-local static);
// immutable afterwards.
class MarkSet {
 public:
  // Implicit, so that a static can be written as a braced list of marks.
  MarkSet(std::initializer_list<std::string_view> marks) {
    for (auto mark : marks) {
      if (!mark.empty()) by_first_[static_cast<unsigned char>(mark[0])].push_back(mark);
    }
  }
  bool FoundIn(std::string_view line) const {
    for (std::size_t i = 0; i < line.size(); ++i) {
      const auto& candidates = by_first_[static_cast<unsigned char>(line[i])];
      if (candidates.empty()) continue;
      const auto rest = line.substr(i);
      for (auto mark : candidates) {
        // The second byte first: most candidates differ there, and a
        // full comparison is a call to memcmp.
        if (mark.size() <= rest.size() && (mark.size() == 1 || rest[1] == mark[1]) &&
            rest.starts_with(mark)) {
          return true;
        }
      }
    }
    return false;
  }

 private:
  // The marks by their first byte.
  std::vector<std::string_view> by_first_[256];
};

// A fixed map from words to small values, built once (a function-local
// static): open addressing on a 64-bit FNV-1a hash of the word, the word
// itself compared on a hit, so answers are exact. Cheaper per look-up than
// std::unordered_map or a binary search over sorted words. Keeps views of
// the words it is given, which must outlive it.
template <class Value>
class WordMap {
 public:
  explicit WordMap(std::size_t capacity) {
    std::size_t size = 16;
    while (size < capacity * 4)
      size *= 2;
    slots_.resize(size);
  }
  // The value of `word`, added as Value{} when missing.
  Value& operator[](std::string_view word) {
    auto slot = Hash(word) & (slots_.size() - 1);
    while (slots_[slot].used && slots_[slot].word != word)
      slot = (slot + 1) & (slots_.size() - 1);
    if (!slots_[slot].used) slots_[slot] = {.word = word, .value = Value{}, .used = true};
    return slots_[slot].value;
  }
  const Value* Find(std::string_view word) const {
    for (auto slot = Hash(word) & (slots_.size() - 1); slots_[slot].used;
         slot = (slot + 1) & (slots_.size() - 1)) {
      if (slots_[slot].word == word) return &slots_[slot].value;
    }
    return nullptr;
  }

 private:
  struct Slot {
    std::string_view word;
    Value value{};
    bool used = false;
  };
  static std::size_t Hash(std::string_view word) {
    std::uint64_t h = 14695981039346656037ULL;
    for (char c : word)
      h = (h ^ static_cast<unsigned char>(c)) * 1099511628211ULL;
    return static_cast<std::size_t>(h ^ (h >> 29));
  }
  std::vector<Slot> slots_;
};

// Line kinds that the category model and the extraction leave out of prose.
bool IsFence(std::string_view line);
bool LooksLikeLogLine(std::string_view line);

}  // namespace ticketd::analysis::text
