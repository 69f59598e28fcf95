# Entry points for people and CI. The logic lives in scripts/ and bench/;
# this file only names it.

SHELL := /bin/bash
.DEFAULT_GOAL := help

SERVICES_DIR := .run
FORMAT_DIRS := $(wildcard src tests bench fuzz)
FORMAT_FILES = $(shell find $(FORMAT_DIRS) -type f \( -name '*.cpp' -o -name '*.hpp' \) \
	-not -path '*/node_modules/*' 2>/dev/null)

.PHONY: help deps build run test bench accuracy train format format-check clean services-start \
	services-stop fuzz image image-test checks static-analysis

help: ## list the targets
	@awk 'BEGIN { FS = ":.*## " } /^[a-z-]+:.*## / { printf "  make %-16s %s\n", $$1, $$2 }' \
		$(MAKEFILE_LIST)

deps: ## install missing Debian packages, web/node_modules and tools/node_modules
	scripts/deps.sh

build: deps ## build the release binary (build/release/ticketd)
	cmake --preset release
	cmake --build --preset release

run: ## build, start PostgreSQL and Redis in .run/, serve the API on PORT (8000)
	scripts/run.sh

test: ## ASan+UBSan build, CTest, Node contract and end-to-end tests
	scripts/test.sh

checks: deps ## the pipeline checks alone (actionlint, action-validator, yamllint, ShellCheck, secretlint)
	scripts/checks.sh

static-analysis: ## cppcheck and clang-tidy over src/ (CI's lint job)
	scripts/static-analysis.sh

image: ## build the production image (Dockerfile.prod) with buildah as ticketd:local
	scripts/image.sh build

image-test: ## build the image, run every role with podman against private services, print its size
	scripts/image.sh test

bench: ## wrk benchmark of the release build (see bench/README.md)
	bench/run.sh

accuracy: ## analyzer category accuracy on ../shared/data (cross-validated) and throughput
	cmake --preset release
	cmake --build --preset release --target ticketd-accuracy ticketd-analyzer-bench
	build/release/ticketd-accuracy
	build/release/ticketd-accuracy --by-group
	build/release/ticketd-analyzer-bench

train: ## regenerate src/analysis/category_weights.cpp from ../shared/data
	cmake --preset release
	cmake --build --preset release --target ticketd-train
	build/release/ticketd-train

format: ## clang-format -i the C++ sources
	@if [[ -n "$(strip $(FORMAT_FILES))" ]]; then clang-format -i $(FORMAT_FILES); fi

format-check: ## fail when a C++ source is not clang-formatted
	@if [[ -n "$(strip $(FORMAT_FILES))" ]]; then clang-format --dry-run -Werror $(FORMAT_FILES); fi

services-start: ## start PostgreSQL and Redis in .run/ (then: source .run/env)
	scripts/services.sh start $(SERVICES_DIR)
	@echo "run: source $(SERVICES_DIR)/env"

services-stop: ## stop the services of services-start
	scripts/services.sh stop $(SERVICES_DIR)

clean: services-stop ## stop the services, remove build/ and .run/
	rm -rf build $(SERVICES_DIR)

fuzz: deps ## run each libFuzzer target for FUZZ_SECONDS (60) with ASan+UBSan
	scripts/fuzz.sh
