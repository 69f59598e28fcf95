// Small text helpers of the analyzer: lines, words, trimming. ASCII case
// folding only; bytes of multi-byte UTF-8 sequences count as letters so that
// words of other languages stay whole.
#pragma once

#include <cstddef>
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
std::string_view Trim(std::string_view s);
std::string Lower(std::string_view s);
bool StartsWith(std::string_view s, std::string_view prefix);
bool EndsWith(std::string_view s, std::string_view suffix);

// Lines without their terminators ("\n" or "\r\n").
std::vector<std::string_view> Lines(std::string_view s);

// Lower-cased words: runs of letters (ASCII or non-ASCII bytes), with
// apostrophes dropped ("don't" -> "dont"). Digits and punctuation separate.
std::vector<std::string> Words(std::string_view s);

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

// Whitespace runs collapsed to one space, trimmed.
std::string Squeeze(std::string_view s);

// Whether the lower-cased `haystack` contains `needle` starting and ending
// at word boundaries.
bool ContainsPhrase(std::string_view haystack, std::string_view needle);

// Line kinds that the category model and the extraction leave out of prose.
bool IsFence(std::string_view line);
bool LooksLikeLogLine(std::string_view line);

}  // namespace ticketd::analysis::text
