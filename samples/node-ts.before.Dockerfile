FROM node:20

# build tools "in case a native module needs them"
RUN apt-get update && apt-get install -y python3 make g++

WORKDIR /usr/src/app
COPY package*.json ./
RUN npm ci
COPY . .
RUN npm run build

ENV NODE_ENV=production
EXPOSE 3000
CMD ["node", "dist/server.js"]
