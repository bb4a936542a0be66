// Static tables used to seed a realistic Brazilian Nuvemshop store. Tables are indexed by small
// integers so that the store keeps a random number per customer instead of whole strings.

export const FIRST_NAMES = [
  "João", "José", "Antônio", "Francisco", "Carlos", "Paulo", "Pedro", "Lucas", "Luiz", "Marcos",
  "Luís", "Gabriel", "Rafael", "Daniel", "Marcelo", "Bruno", "Eduardo", "Felipe", "Raimundo", "Rodrigo",
  "Sérgio", "Vinícius", "Fábio", "Otávio", "Cláudio", "Márcio", "Caio", "Thiago", "Gustavo", "Leandro",
  "Maria", "Ana", "Francisca", "Antônia", "Adriana", "Juliana", "Márcia", "Fernanda", "Patrícia", "Aline",
  "Sandra", "Camila", "Amanda", "Bruna", "Jéssica", "Letícia", "Júlia", "Luciana", "Vanessa", "Mariana",
  "Luíza", "Conceição", "Lúcia", "Érica", "Ângela", "Flávia", "Beatriz", "Isabela", "Larissa", "Renata",
  "Débora", "Tânia", "Mônica", "Gisele", "Cecília", "Helena", "Inês", "Valéria", "Simone", "Natália",
  "Maria José", "Ana Clara", "João Pedro", "Luiz Henrique", "Sofía", "Martín", "Matías", "Agustín",
];

export const LAST_NAMES = [
  "Silva", "Santos", "Oliveira", "Souza", "Rodrigues", "Ferreira", "Alves", "Pereira", "Lima", "Gomes",
  "Costa", "Ribeiro", "Martins", "Carvalho", "Almeida", "Lopes", "Soares", "Fernandes", "Vieira", "Barbosa",
  "Rocha", "Dias", "Nascimento", "Andrade", "Moreira", "Nunes", "Marques", "Machado", "Mendes", "Freitas",
  "Araújo", "Conceição", "Gonçalves", "Magalhães", "Simões", "Brandão", "Falcão", "Damião", "Assunção", "Romão",
  "Guimarães", "Peçanha", "Mendonça", "Galvão", "Leão", "Sampaio", "Calixto", "Brás", "Antunes", "Teixeira",
  "de Souza", "dos Santos", "da Silva", "de Oliveira", "da Costa", "García", "Núñez", "Muñoz",
];

export const EMAIL_DOMAINS = [
  "gmail.com", "gmail.com", "gmail.com", "gmail.com", "hotmail.com", "hotmail.com", "outlook.com",
  "yahoo.com.br", "uol.com.br", "bol.com.br", "terra.com.br", "icloud.com", "live.com", "globo.com",
];

export const BR_DDD = ["11", "11", "11", "21", "21", "31", "41", "51", "61", "71", "81", "85", "19", "27", "47", "48", "62", "92"];

export interface CityRow {
  city: string;
  province: string;
  zipPrefix: string;
  localities: string[];
}

export const CITIES: CityRow[] = [
  { city: "São Paulo", province: "São Paulo", zipPrefix: "01", localities: ["Pinheiros", "Moema", "Mooca", "Santana", "Itaim Bibi"] },
  { city: "Rio de Janeiro", province: "Rio de Janeiro", zipPrefix: "22", localities: ["Copacabana", "Tijuca", "Botafogo", "Méier"] },
  { city: "Belo Horizonte", province: "Minas Gerais", zipPrefix: "30", localities: ["Savassi", "Funcionários", "Pampulha"] },
  { city: "Curitiba", province: "Paraná", zipPrefix: "80", localities: ["Batel", "Água Verde", "Centro"] },
  { city: "Porto Alegre", province: "Rio Grande do Sul", zipPrefix: "90", localities: ["Moinhos de Vento", "Menino Deus"] },
  { city: "Salvador", province: "Bahia", zipPrefix: "40", localities: ["Barra", "Pituba", "Rio Vermelho"] },
  { city: "Recife", province: "Pernambuco", zipPrefix: "50", localities: ["Boa Viagem", "Casa Forte"] },
  { city: "Fortaleza", province: "Ceará", zipPrefix: "60", localities: ["Aldeota", "Meireles"] },
  { city: "Brasília", province: "Distrito Federal", zipPrefix: "70", localities: ["Asa Sul", "Asa Norte", "Lago Sul"] },
  { city: "Florianópolis", province: "Santa Catarina", zipPrefix: "88", localities: ["Trindade", "Lagoa da Conceição"] },
  { city: "Goiânia", province: "Goiás", zipPrefix: "74", localities: ["Setor Bueno", "Setor Marista"] },
  { city: "Manaus", province: "Amazonas", zipPrefix: "69", localities: ["Adrianópolis", "Ponta Negra"] },
];

export const STREETS = [
  "Rua das Flores", "Avenida Paulista", "Rua XV de Novembro", "Rua São João", "Avenida Brasil",
  "Rua da Conceição", "Travessa do Comércio", "Rua Doutor Falcão", "Avenida Getúlio Vargas", "Rua Sete de Setembro",
];

export const CANCEL_REASONS = ["customer", "fraud", "inventory", "other"] as const;
export const GATEWAYS = ["mercadopago", "pagseguro", "pix", "nuvempago", "offline"];
