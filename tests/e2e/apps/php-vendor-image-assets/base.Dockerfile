# tag: example/php-app-base:8.2
# A company's PHP base image: PHP with composer, git and unzip, under the team's own name.
FROM php:8.2-cli
RUN apt-get update && apt-get install -y --no-install-recommends composer git unzip \
    && rm -rf /var/lib/apt/lists/*
