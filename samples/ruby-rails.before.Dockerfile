# A Rails app on the full Ruby image: compilers and -dev headers build the native gems
# (pg), node builds the assets, and all of it ships in the final image.
FROM ruby:3.1

RUN apt-get update && apt-get install -y --no-install-recommends libpq-dev nodejs \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY Gemfile Gemfile.lock ./
RUN bundle config set --local without 'development test' && bundle install
COPY . .
RUN bundle exec rake assets:precompile

EXPOSE 3000
CMD ["bundle", "exec", "rails", "server", "-b", "0.0.0.0"]
