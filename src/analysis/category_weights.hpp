// The trained weights of the built-in category model, as generated arrays.
// Written by `ticketd-train`; never edited by hand.
#pragma once

#include <cstddef>

#include "analysis/category_model.hpp"

namespace ticketd::analysis::generated {

struct WeightRow {
  const char* feature;
  float weights[kModelClassCount];
};

extern const double kCategoryBias[kModelClassCount];
extern const WeightRow kCategoryWeights[];
extern const std::size_t kCategoryWeightCount;

}  // namespace ticketd::analysis::generated
