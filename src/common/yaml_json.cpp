#include "common/yaml_json.hpp"

#include <yaml-cpp/yaml.h>

#include <cctype>
#include <string>

namespace ticketd::common {

using nlohmann::json;

json YamlToJson(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Map: {
      json out = json::object();
      for (const auto& item : node)
        out[item.first.as<std::string>()] = YamlToJson(item.second);
      return out;
    }
    case YAML::NodeType::Sequence: {
      json out = json::array();
      for (const auto& item : node)
        out.push_back(YamlToJson(item));
      return out;
    }
    case YAML::NodeType::Scalar: {
      // Quoted scalars stay strings; plain ones follow YAML's core schema.
      const std::string& text = node.Scalar();
      if (node.Tag() == "!") return text;
      if (text == "true" || text == "True" || text == "TRUE") return true;
      if (text == "false" || text == "False" || text == "FALSE") return false;
      if (text == "null" || text == "~" || text == "Null" || text == "NULL") return nullptr;
      if (!text.empty() &&
          (std::isdigit(static_cast<unsigned char>(text[0])) || text[0] == '-' || text[0] == '+')) {
        std::size_t used = 0;
        try {
          const long long integer = std::stoll(text, &used);
          if (used == text.size()) return integer;
          const double real = std::stod(text, &used);
          if (used == text.size()) return real;
        } catch (const std::exception&) {
          // not a number: a string
        }
      }
      return text;
    }
    default:
      return nullptr;
  }
}

std::variant<json, std::string> ParseYaml(std::string_view text) {
  try {
    return YamlToJson(YAML::Load(std::string(text)));
  } catch (const YAML::Exception& error) {
    return std::string(error.what());
  }
}

}  // namespace ticketd::common
