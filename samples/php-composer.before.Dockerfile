# A PHP app on the Apache image: the zip extension is compiled against its -dev package,
# composer comes from its image, and git, unzip, composer and the headers all ship.
FROM php:8.2-apache

RUN apt-get update && apt-get install -y --no-install-recommends git unzip libzip-dev \
    && rm -rf /var/lib/apt/lists/*
RUN docker-php-ext-install zip && a2enmod rewrite
COPY --from=composer:2 /usr/bin/composer /usr/bin/composer

WORKDIR /var/www/html
COPY . .
RUN composer install --no-dev --optimize-autoloader
